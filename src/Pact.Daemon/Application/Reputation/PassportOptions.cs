using System.ComponentModel.DataAnnotations;

namespace Pact.Daemon.Application.Reputation;

/// <summary>Passports (§16), bound from "Pact:Passport": the extra reputation providers and their time limit.</summary>
public sealed class PassportOptions
{
    public const string Section = "Pact:Passport";

    /// <summary>Where extra reputation providers are loaded from at start (docs/passport.md); default: plugins in the data directory.</summary>
    public string? PluginsDirectory { get; set; }

    /// <summary>How long one provider may take for one passport before it is served as an error entry.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "{0} must be at least {1}.")]
    public int ProviderTimeoutMilliseconds { get; set; } = 2000;
}
