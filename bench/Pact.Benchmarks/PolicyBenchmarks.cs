using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Pact.Core.Compacts;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Json;
using Pact.Core.Policies;

namespace Pact.Benchmarks;

/// <summary>
/// What deciding costs (§13), against the baseline of one Ed25519 verify measured in the same run: a typical 10-rule
/// policy evaluated on the kitchen-remodel terms (target ≤ 0.5 × a verify), and publishing (read, check, compile,
/// compose) and evaluating the largest allowed composition — 260 rules of exactly 1,024 characters along extends
/// four deep (a single document holds at most 64 KiB, so 256 such rules only fit spread over five policies).
/// </summary>
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private byte[] _publicKey = [];
    private byte[] _signingInput = [];
    private byte[] _signature = [];
    private CompiledPolicy _typical = null!;
    private PolicyInput _input = null!;
    private InMemoryPolicyResolver _lowerLevels = null!;
    private JsonObject _topDocument = null!;
    private CompiledPolicy _largest = null!;

    [GlobalSetup]
    public void Setup()
    {
        var key = KeyPair.FromSeed(new byte[32]);
        _publicKey = key.PublicKey;
        _signingInput = CompactCrypto.FirstSigningInput(new string('a', 64));
        _signature = key.Sign(_signingInput);

        var terms = (JsonObject)StrictJson.Parse(File.ReadAllBytes(RepoFile("tests/testdata/examples/kitchen-remodel.terms.json")))!;
        var proposal = new PolicyProposalFacts("prp_01JD0000000000000000000000", "ses_01JD0000000000000000000000", terms["compactId"]!.GetValue<string>(), 1, "a",
            null, CompactCrypto.TermsHash(terms), new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero), null);
        _input = PolicyInput.For(terms, "b", proposal, new PolicyPassportFacts(6774, 70, 12, 2, 5120),
            new PolicySessionFacts("ses_01JD0000000000000000000000", "kitchen", ["did:key:a", "did:key:b"]));
        _typical = Compile(TypicalPolicy(), new InMemoryPolicyResolver());
        var typical = PolicyEvaluator.Evaluate(_typical, _input).Decision;
        if (typical.Trace.Count != 10 || typical.Effect != "sign")
            throw new InvalidOperationException("The typical policy should evaluate all ten rules (the last one signs): " +
                string.Join(", ", typical.Trace.Select(t => $"{t.RuleId}={t.Result} {t.Error}")));

        _lowerLevels = new InMemoryPolicyResolver();
        CompiledPolicy? below = null;
        for (var level = 0; level < 4; level++)
        {
            below = Compile(Level(level, below?.PolicyHash), _lowerLevels);
            _lowerLevels.Add(below);
        }
        _topDocument = Level(4, below!.PolicyHash);
        _largest = Publish();
        if (_largest.Rules.Count != 260 || _largest.Depth != 4) throw new InvalidOperationException("The largest composition is not 260 rules four deep.");
    }

    /// <summary>The baseline: one Ed25519 verify (libsodium through NSec) of a compact signing input.</summary>
    [Benchmark(Baseline = true)]
    public bool Ed25519Verify() => Ed25519.Verify(_publicKey, _signingInput, _signature);

    /// <summary>Ten rules, the tenth deciding: input to CEL values, ten programs, the decision (its hash not included).</summary>
    [Benchmark]
    public string TypicalTenRulePolicy() => PolicyEvaluator.Evaluate(_typical, _input).Decision.Effect;

    /// <summary>The decision and its decisionHash, as recorded.</summary>
    [Benchmark]
    public string TypicalTenRulePolicyWithHash() => PolicyEvaluator.Evaluate(_typical, _input).DecisionHash;

    /// <summary>Publishing the top policy of the largest composition (52 rules of 1,024 characters over 208 inherited).</summary>
    [Benchmark]
    public CompiledPolicy PublishLargest() => Publish();

    /// <summary>Evaluating all 260 rules of the largest composition (none true: the default decides).</summary>
    [Benchmark]
    public string EvaluateLargest() => PolicyEvaluator.Evaluate(_largest, _input).Decision.Effect;

    private CompiledPolicy Publish() => Compile(_topDocument, _lowerLevels);

    private static CompiledPolicy Compile(JsonObject document, IPolicyResolver resolver)
    {
        var (policy, error) = CompiledPolicy.Compile(document, resolver);
        return policy ?? throw new InvalidOperationException($"{error!.Code}: {error.Detail}");
    }

    private static JsonObject TypicalPolicy()
    {
        string[] whens =
        [
            "terms.tier == 'advanced'",
            "isoSeconds(terms.revocation.noticePeriod) > isoSeconds('P90D')",
            "effectiveSeconds(terms) > 3 * 366 * 86400",
            "propagatesTo(terms, me, 'data-broker')",
            "counterparty.passport.failures > 3",
            "!retains(terms, me, 'work-scope')",
            "terms.scope.interaction.matches('(?i)demolition|asbestos')",
            "terms.retention[them].exists(e, e.retain.mode == 'indefinite' && !(e.category in ['work-scope', 'dispute-records', 'work-record']))",
            "has(terms.scope.outOfScope) && size(terms.scope.outOfScope) > 500",
            "terms.tier == 'standard' && counterparty.passport.score >= 6000 && categories(terms, them).size() <= 6",
        ];
        var rules = new JsonArray([.. whens.Select((w, i) => (JsonNode)new JsonObject
        {
            ["id"] = $"rule-{i}", ["when"] = w, ["effect"] = i == whens.Length - 1 ? "sign" : "decline",
        })]);
        return new JsonObject { ["format"] = "pact-policy/1", ["name"] = "typical", ["rules"] = rules, ["default"] = "escalate" };
    }

    private static JsonObject Level(int level, string? extends)
    {
        var rules = new JsonArray([.. Enumerable.Range(0, 52).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = $"l{level}-r{i}", ["when"] = LongCondition(level * 100 + i), ["effect"] = "sign",
        })]);
        var policy = new JsonObject { ["format"] = "pact-policy/1", ["name"] = $"level-{level}" };
        if (extends is not null) policy["extends"] = new JsonArray(extends);
        policy["rules"] = rules;
        policy["default"] = "escalate";
        return policy;
    }

    // A false condition of exactly 1,024 characters.
    private static string LongCondition(int seed)
    {
        var head = $"terms.compactId == '{seed}";
        return head + new string('x', 1024 - head.Length - 1) + "'";
    }

    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"'{relative}' was not found above {AppContext.BaseDirectory}; run from inside the repository.");
    }
}
