namespace Pact.Daemon.Hosting;

/// <summary>The daemon will not start on what it found; the message says what, the advice what to do.</summary>
public sealed class StartRefusedException(string message, string advice) : Exception(message)
{
    public string Advice { get; } = advice;
}
