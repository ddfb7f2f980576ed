using Pact.Core.Crypto;

namespace Pact.Daemon.Hosting;

/// <summary>Who this daemon is: its key (signs in-force records and checkpoints), did:key and origin.</summary>
public sealed class DaemonIdentity(KeyPair key, string origin)
{
    public KeyPair Key { get; } = key;

    public string DaemonId => Key.Did;

    public string PublicKey => Key.PublicKeyB64u;

    public string Origin { get; } = origin;

    public const string Protocol = "pact/1";

    public const string AcpVersion = "0.1";

    public static string ProductVersion { get; } =
        typeof(DaemonIdentity).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
