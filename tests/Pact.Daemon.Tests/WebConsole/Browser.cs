using Microsoft.Playwright;

namespace Pact.Daemon.Tests.WebConsole;

/// <summary>
/// Debian's Chromium under Playwright, shared by the console's browser tests. The browser is the system's
/// (<c>/usr/bin/chromium</c>, or <c>PACT_CHROMIUM</c>): <c>.ci/run</c> installs it, nothing is downloaded.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public static string ExecutablePath => Environment.GetEnvironmentVariable("PACT_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Why the browser tests cannot run here, or null. CI sets PACT_REQUIRE_BROWSER=1 so that they never skip there.</summary>
    public static string? Missing =>
        File.Exists(ExecutablePath) || Environment.GetEnvironmentVariable("PACT_REQUIRE_BROWSER") == "1"
            ? null
            : $"No Chromium at {ExecutablePath}: install Debian's chromium package (.ci/run does) or set PACT_CHROMIUM.";

    private IPlaywright? _playwright;

    public IBrowser Instance { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (Missing is not null) return;
        _playwright = await Playwright.CreateAsync();
        Instance = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Containers run as root without a user namespace for the sandbox.
            Args = ["--no-sandbox"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Instance is not null) await Instance.DisposeAsync();
        _playwright?.Dispose();
    }
}

/// <summary>A test that needs the browser: skipped, saying why, only where Chromium is absent and CI did not require it.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Browser.Missing is { } reason) Skip = reason;
    }
}
