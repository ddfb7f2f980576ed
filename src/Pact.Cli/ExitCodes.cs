namespace Pact.Cli;

/// <summary>The process exit codes of <c>pact</c> (documented in docs/cli.md and the root help).</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The command line itself is wrong: unknown command or option, missing or malformed value.</summary>
    public const int Usage = 2;

    /// <summary>The daemon refused the request (a ProblemDetails answer, e.g. PACT-301).</summary>
    public const int Refused = 3;

    /// <summary>Anything else: the daemon cannot be reached, a file cannot be read, an unexpected answer.</summary>
    public const int Failure = 4;

    /// <summary>A verification ran and found the transcript or bundle does not hold (the first failure is printed).</summary>
    public const int VerificationFailed = 5;
}
