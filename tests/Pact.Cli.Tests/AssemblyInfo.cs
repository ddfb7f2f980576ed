// The key-file tests check Unix modes (0600); the daemon and CLI are built for Linux first.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
