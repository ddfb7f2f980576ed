using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Pact.Client;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Samples.KitchenRemodel;

namespace Pact.Daemon.Tests.WebConsole;

/// <summary>
/// The console in a real browser against a real daemon on loopback: sign-in, live sessions and timelines, a resumed
/// stream, the kitchen-remodel compact, and the checkpoint and inclusion proofs verified in the page. Every page
/// must load without a console error. With PACT_CONSOLE_SCREENSHOTS=&lt;dir&gt; each page is also saved as a PNG
/// (docs/images/console-*.png come from such a run).
/// </summary>
public sealed class ConsoleTests(Browser browser) : IClassFixture<Browser>, IAsyncLifetime
{
    private DaemonHost _host = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;
    private readonly List<string> _errors = [];
    private static readonly string[] Roles = ["a", "b"];

    public async Task InitializeAsync()
    {
        _host = await DaemonHost.StartAsync();
        if (Browser.Missing is not null) return;
        _context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        _page = await _context.NewPageAsync();
        _page.Console += (_, message) => { if (message.Type == "error") _errors.Add(message.Text); };
        _page.PageError += (_, error) => _errors.Add(error);
    }

    public async Task DisposeAsync()
    {
        if (_context is not null) await _context.DisposeAsync();
        await _host.DisposeAsync();
    }

    private string Url(string fragment = "") => new Uri(_host.BaseAddress, "/console/").ToString() + fragment;

    /// <summary>Signs in through the form and, unless the token is meant to be refused, waits for the sessions page.</summary>
    private async Task SignInAsync(string token = DaemonHost.AdminToken, bool refused = false)
    {
        await _page.GotoAsync(Url());
        await _page.GetByLabel("Token").FillAsync(token);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        if (!refused) await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Sessions", Exact = true })).ToBeVisibleAsync();
    }

    private async Task ScreenshotAsync(string name)
    {
        if (Environment.GetEnvironmentVariable("PACT_CONSOLE_SCREENSHOTS") is { Length: > 0 } directory)
            await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, $"console-{name}.png"), FullPage = true });
    }

    private static PactClient Admin(HttpClient http) => new(http, key: null, new PactClientOptions { AdminToken = DaemonHost.AdminToken });

    /// <summary>Waits until the daemon has signed a checkpoint covering everything committed so far.</summary>
    private async Task WaitForCheckpointAsync()
    {
        using var http = _host.CreateHttpClient();
        var admin = Admin(http);
        var head = _host.Services.GetRequiredService<Pact.Store.IPactStore>().HeadSeq;
        for (var i = 0; i < 100 && (await admin.GetCheckpointAsync()).TreeSize < head; i++) await Task.Delay(100);
    }

    [BrowserFact]
    public async Task Signing_in_with_the_admin_token_lists_every_session_and_a_wrong_token_is_refused()
    {
        var outcome = await KitchenRemodelSample.RunAsync(_host.BaseAddress, TextWriter.Null, CancellationToken.None);

        await SignInAsync("not-a-token", refused: true);
        await Expect(_page.Locator("#status")).ToContainTextAsync("Sign-in refused");
        (await _page.EvaluateAsync<string?>("sessionStorage.getItem('pact.console.token')")).Should().BeNull("a refused token is not kept");
        _errors.Should().ContainSingle().Which.Should().Contain("401", "the browser reports the refused request itself");
        _errors.Clear();

        await SignInAsync();
        var row = _page.Locator($"tr[data-session='{outcome.SessionId}']");
        await Expect(row).ToContainTextAsync("active");
        await Expect(row).ToContainTextAsync("6"); // the sample's six events
        await Expect(row.Locator("td").Last).ToContainTextAsync(" UTC"); // the time of its newest event
        _page.Url.Should().NotContain(DaemonHost.AdminToken, "the token never goes into a URL");
        await ScreenshotAsync("sessions");
        _errors.Should().BeEmpty();
    }

    [BrowserFact]
    public async Task An_event_committed_through_the_SDK_appears_in_an_open_timeline_within_two_seconds()
    {
        var a = await Negotiator.RegisterAsync(_host, "Ada");
        var b = await Negotiator.RegisterAsync(_host, "Bo");
        var sessionId = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        await SignInAsync();
        await _page.GotoAsync(Url($"#/sessions/{sessionId}"));
        await Expect(_page.Locator("#timeline li")).ToHaveCountAsync(1);
        await Expect(_page.Locator("#stream-state")).ToContainTextAsync("Live");

        await a.Client.SuspendSessionAsync(sessionId);
        await Expect(_page.Locator("#timeline li[data-type='session.suspended']")).ToContainTextAsync("suspended the session",
            new LocatorAssertionsToContainTextOptions { Timeout = 2000 });
        await Expect(_page.Locator("#chain")).ToContainTextAsync("✓ Chain of 2 events verified");
        // The chain is then tied to the signed log through its newest event's inclusion proof.
        await Expect(_page.Locator("#chain")).ToContainTextAsync("its newest event is in the daemon's signed log",
            new LocatorAssertionsToContainTextOptions { Timeout = 15_000 });
        _errors.Should().BeEmpty();
    }

    [BrowserFact]
    public async Task An_agent_token_sees_its_own_sessions_only()
    {
        var a = await Negotiator.RegisterAsync(_host, "Ada");
        var b = await Negotiator.RegisterAsync(_host, "Bo");
        var c = await Negotiator.RegisterAsync(_host, "Cy");
        var mine = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var others = (await b.Client.CreateSessionAsync([b.Did, c.Did])).SessionId;

        await SignInAsync((await a.Client.GetTokenAsync()).Token);
        await Expect(_page.Locator($"tr[data-session='{mine}']")).ToBeVisibleAsync();
        await Expect(_page.Locator($"tr[data-session='{others}']")).ToHaveCountAsync(0);
        _errors.Should().BeEmpty();
    }

    [BrowserFact]
    public async Task An_event_altered_on_its_way_fails_its_inclusion_check_though_its_hash_is_kept()
    {
        await KitchenRemodelSample.RunAsync(_host.BaseAddress, TextWriter.Null, CancellationToken.None);
        await WaitForCheckpointAsync();
        await _page.RouteAsync("**/v1/sessions/*/events?*", async route =>
        {
            var response = await route.FetchAsync();
            var page = JsonNode.Parse(await response.TextAsync())!.AsObject();
            foreach (var e in page["events"]!.AsArray()) e!["type"] = "session.suspended"; // the hashes stay as served
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = page.ToJsonString() });
        });
        await SignInAsync();
        await _page.GotoAsync(Url("#/log"));
        await _page.GetByLabel("Event seq").FillAsync("3");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Check inclusion" }).ClickAsync();
        await Expect(_page.Locator("#inclusion")).ToContainTextAsync("✗ Event 3 as served is not in the signed log");
        _errors.Should().BeEmpty();
    }

    [BrowserFact]
    public async Task A_dropped_stream_resumes_with_no_gap_and_no_duplicate()
    {
        var a = await Negotiator.RegisterAsync(_host, "Ada");
        var b = await Negotiator.RegisterAsync(_host, "Bo");
        var sessionId = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        await SignInAsync();
        await _page.GotoAsync(Url($"#/sessions/{sessionId}"));
        await Expect(_page.Locator("#stream-state")).ToContainTextAsync("Live");

        // Cut the connection as the network would, then commit while the page is away (it waits the daemon's retry).
        await _page.EvaluateAsync("window.pactConsole.stream.drop()");
        await Expect(_page.Locator("#stream-state")).ToContainTextAsync("resuming");
        await a.Client.SuspendSessionAsync(sessionId);
        await a.Client.ResumeSessionAsync(sessionId);
        await a.Client.SuspendSessionAsync(sessionId);

        await Expect(_page.Locator("#timeline li")).ToHaveCountAsync(4, new LocatorAssertionsToHaveCountOptions { Timeout = 10_000 });
        var seqs = await _page.Locator("#timeline li").EvaluateAllAsync<int[]>("items => items.map(li => Number(li.dataset.streamSeq))");
        seqs.Should().Equal(1, 2, 3, 4);
        (await _page.EvaluateAsync<int?>("window.pactConsole.duplicates ?? null")).Should().BeNull("Last-Event-ID resumes after the last event received");
        await Expect(_page.Locator("#chain")).ToContainTextAsync("✓ Chain of 4 events verified");
        await ScreenshotAsync("timeline");
        _errors.Should().BeEmpty();
    }

    [BrowserFact]
    public async Task The_kitchen_remodel_compact_page_shows_its_terms_per_party_and_category()
    {
        var outcome = await KitchenRemodelSample.RunAsync(_host.BaseAddress, TextWriter.Null, CancellationToken.None);
        using var http = _host.CreateHttpClient();
        var record = await Admin(http).GetCompactVersionAsync(outcome.CompactId, 1);
        var categories = Roles.SelectMany(role => record.Terms["retention"]![role]!.AsArray().Select(e => e!["category"]!.GetValue<string>())).ToList();
        categories.Should().NotBeEmpty();

        await SignInAsync();
        await _page.GotoAsync(Url($"#/compacts/{outcome.CompactId}"));
        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = $"Compact {outcome.CompactId}" })).ToBeVisibleAsync();
        await Expect(_page.Locator("dl.facts").First).ToContainTextAsync("in-force");
        foreach (var category in categories)
            await Expect(_page.Locator("table.terms th[scope=row]", new() { HasTextString = category }).First).ToBeVisibleAsync();
        await Expect(_page.Locator(".terms-view")).ToContainTextAsync(record.Terms["scope"]!["interaction"]!.GetValue<string>());
        await Expect(_page.Locator(".terms-view")).ToContainTextAsync(KitchenRemodelSample.OutOfScope);
        await Expect(_page.Locator("section.party h3")).ToHaveTextAsync([new Regex("^Party A: "), new Regex("^Party B: ")]);
        await ScreenshotAsync("compact");
        _errors.Should().BeEmpty();
    }

    [BrowserFact]
    public async Task A_counter_proposal_shows_the_terms_it_changed()
    {
        var outcome = await KitchenRemodelSample.RunAsync(_host.BaseAddress, TextWriter.Null, CancellationToken.None);
        await SignInAsync();
        await _page.GotoAsync(Url($"#/sessions/{outcome.SessionId}"));
        var counter = _page.Locator("#timeline li[data-type='proposal.countered']");
        await Expect(counter.Locator("table.changes tbody tr")).ToHaveCountAsync(1);
        await Expect(counter.Locator("table.changes")).ToContainTextAsync("/scope/outOfScope");
        await Expect(counter.Locator("table.changes ins")).ToHaveTextAsync(KitchenRemodelSample.OutOfScope);
        await Expect(_page.Locator("#chain")).ToContainTextAsync("✓ Chain of 6 events verified");
        _errors.Should().BeEmpty();
    }

    [BrowserFact]
    public async Task The_compliance_form_shows_the_eight_steps_with_the_failing_one_highlighted()
    {
        var outcome = await KitchenRemodelSample.RunAsync(_host.BaseAddress, TextWriter.Null, CancellationToken.None);
        await SignInAsync();
        await _page.GotoAsync(Url($"#/compacts/{outcome.CompactId}"));
        await Expect(_page.Locator("#dispositions tbody tr").First).ToBeVisibleAsync();

        // Inside the effective period (the sample's terms run through 2027), party A may keep its work record ...
        await _page.GetByLabel("Category").SelectOptionAsync("work-record");
        await _page.GetByLabel("At (optional)").FillAsync("2027-06-01T00:00:00.000Z");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Check", Exact = true }).ClickAsync();
        await Expect(_page.Locator("#check-result .check")).ToContainTextAsync("✓ Allowed");
        await Expect(_page.Locator("#check-result li.step.pass")).ToHaveCountAsync(5); // derivation, propagation and the recipient's compact do not apply to retain
        await Expect(_page.Locator("#check-result li.step.skip")).ToHaveCountAsync(3);

        // ... but not pass it to a recipient its slice does not name: step 7 fails, step 8 is not reached.
        await _page.GetByLabel("Action").SelectOptionAsync("propagate");
        await _page.GetByLabel("Recipient (propagate)").FillAsync("licensing-board");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Check", Exact = true }).ClickAsync();
        await Expect(_page.Locator("#check-result .check")).ToContainTextAsync("✗ RECIPIENT_NOT_ALLOWED");
        await Expect(_page.Locator("#check-result li.step.fail")).ToHaveAttributeAsync("data-step", "propagation");
        await Expect(_page.Locator("#check-result li[data-step='recipient-compact']")).ToContainTextAsync("not reached");
        await ScreenshotAsync("compliance");
        _errors.Should().BeEmpty();
    }

    [BrowserFact]
    public async Task A_participant_links_to_its_passport()
    {
        var outcome = await KitchenRemodelSample.RunAsync(_host.BaseAddress, TextWriter.Null, CancellationToken.None);
        await SignInAsync();
        await _page.GotoAsync(Url($"#/sessions/{outcome.SessionId}"));
        await _page.GetByRole(AriaRole.Link, new() { Name = "Dana Homeowner" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Dana Homeowner" })).ToBeVisibleAsync();
        using var http = _host.CreateHttpClient();
        var compact = await Admin(http).GetCompactAsync(outcome.CompactId);
        var passport = await Admin(http).GetPassportAsync(compact.Parties.B.Agent);
        await Expect(_page.Locator("#passport")).ToContainTextAsync(passport.PassportHash);
        await Expect(_page.Locator("#passport")).ToContainTextAsync($"{passport.Counts.Compacts}");
        _errors.Should().BeEmpty();
    }

    [BrowserFact]
    public async Task A_policy_reads_as_its_rules_and_decides_a_proposal_as_the_API_does()
    {
        var a = await Negotiator.RegisterAsync(_host, "Ada");
        var b = await Negotiator.RegisterAsync(_host, "Bo");
        var published = await b.Client.PublishPolicyAsync(new JsonObject
        {
            ["format"] = "pact-policy/1",
            ["name"] = "bo-intake",
            ["rules"] = new JsonArray(
                new JsonObject { ["id"] = "no-advanced", ["when"] = "terms.tier == 'advanced'", ["effect"] = "decline", ["reason"] = "Advanced needs a human." },
                new JsonObject { ["id"] = "standard-ok", ["when"] = "terms.tier == 'standard'", ["effect"] = "sign" }),
            ["default"] = "escalate",
        });
        var policyHash = published.Policy.PolicyHash;
        var sessionId = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var proposal = await a.Client.ProposeAsync(sessionId, await a.DraftAsync(b), a.Authority);
        var expected = await b.Client.EvaluatePolicyOnProposalAsync(null, policyHash, proposal.ProposalId);

        await SignInAsync();
        await _page.GetByRole(AriaRole.Link, new() { Name = "Policies" }).ClickAsync();
        await _page.GetByLabel("Policy hash").FillAsync(policyHash);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Policy “bo-intake”" })).ToBeVisibleAsync();
        await Expect(_page.Locator("#rules tbody tr")).ToHaveCountAsync(2);
        await Expect(_page.Locator("#rules tr[data-rule='no-advanced']")).ToContainTextAsync("decline");

        await _page.GetByLabel("Proposal").FillAsync(proposal.ProposalId);
        await _page.GetByLabel("Judge as party").SelectOptionAsync("b");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Evaluate" }).ClickAsync();
        await Expect(_page.Locator("#decision .check")).ToContainTextAsync("Decision: sign by rule standard-ok");
        await Expect(_page.Locator("#decision")).ToContainTextAsync(expected.DecisionHash);
        await Expect(_page.Locator("#trace tbody tr")).ToHaveCountAsync(2);
        await ScreenshotAsync("policy");
        _errors.Should().BeEmpty();
    }

    [BrowserFact]
    public async Task The_checkpoint_and_an_inclusion_proof_verify_green_and_an_altered_proof_shows_red()
    {
        await KitchenRemodelSample.RunAsync(_host.BaseAddress, TextWriter.Null, CancellationToken.None);
        await WaitForCheckpointAsync();
        await SignInAsync();
        await _page.GotoAsync(Url("#/log"));
        await Expect(_page.Locator("#checkpoint")).ToContainTextAsync("✓ Signature verified with the daemon's key.");
        await _page.GetByLabel("Event seq").FillAsync("3");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Check inclusion" }).ClickAsync();
        await Expect(_page.Locator("#inclusion")).ToContainTextAsync("✓ Event 3 (proposal.created) is in the signed log.");
        await ScreenshotAsync("log");

        // The same proof altered on its way to the page: one hash of the path changed.
        await _page.RouteAsync("**/v1/log/proof/inclusion*", async route =>
        {
            var response = await route.FetchAsync();
            var proof = JsonNode.Parse(await response.TextAsync())!.AsObject();
            var first = proof["hashes"]![0]!.GetValue<string>();
            proof["hashes"]![0] = (first[0] == '0' ? "1" : "0") + first[1..];
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = proof.ToJsonString() });
        });
        await _page.GetByRole(AriaRole.Button, new() { Name = "Check inclusion" }).ClickAsync();
        await Expect(_page.Locator("#inclusion")).ToContainTextAsync("✗ Event 3 as served is not in the signed log");
        _errors.Should().BeEmpty();
    }

    [BrowserFact]
    public async Task A_checkpoint_altered_on_its_way_shows_red()
    {
        await KitchenRemodelSample.RunAsync(_host.BaseAddress, TextWriter.Null, CancellationToken.None);
        await WaitForCheckpointAsync();
        await _page.RouteAsync("**/v1/log/checkpoint", async route =>
        {
            var response = await route.FetchAsync();
            var lines = (await response.TextAsync()).Split('\n');
            lines[1] = (long.Parse(lines[1]) + 1).ToString(); // claim one more event than was signed
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = string.Join('\n', lines) });
        });
        await SignInAsync();
        await _page.GotoAsync(Url("#/log"));
        await Expect(_page.Locator("#checkpoint")).ToContainTextAsync("✗ The checkpoint does not verify: the signature does not verify with the daemon's key");
        _errors.Should().BeEmpty();
    }

    [BrowserFact]
    public async Task The_pages_fit_a_phone_width_screen_and_the_keyboard_reaches_the_navigation()
    {
        await KitchenRemodelSample.RunAsync(_host.BaseAddress, TextWriter.Null, CancellationToken.None);
        await _page.SetViewportSizeAsync(390, 844);
        await SignInAsync();
        await Expect(_page.Locator("#sessions tbody tr")).ToHaveCountAsync(1);
        var overflow = await _page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        overflow.Should().BeFalse("nothing scrolls sideways at phone width");

        // A fresh load: the first Tab reaches the skip link, the next the navigation.
        await _page.ReloadAsync();
        await Expect(_page.Locator("#sessions tbody tr")).ToHaveCountAsync(1);
        await _page.Keyboard.PressAsync("Tab");
        (await _page.EvaluateAsync<string>("document.activeElement.textContent")).Should().Be("Skip to content");
        await _page.Keyboard.PressAsync("Tab");
        (await _page.EvaluateAsync<string>("document.activeElement.textContent")).Should().Be("Sessions");
        await ScreenshotAsync("phone");
        _errors.Should().BeEmpty();
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
