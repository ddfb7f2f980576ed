using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Passport;
using Pact.Core.Time;
using Pact.Daemon.Hosting;
using Pact.Store;

namespace Pact.Daemon.Application;

/// <summary>
/// Passports (§16) from the store's passport read model: which prefix of the log a request means (asOfSeq, asOf or
/// the last committed event), the passport over it, and the check against thresholds — the figures admission uses.
/// </summary>
public sealed class PassportService(IPactStore store, IPassportReadModel passports, IAgentDirectory agents, TranscriptQuarantine quarantine, TimeProvider time)
{
    /// <summary>The passport read model, unless the audit found the store's read models altered (then 500 PACT-401).</summary>
    private Task<AgentPassport> PassportAsync(string agent, long asOfSeq, string asOf, CancellationToken ct)
    {
        quarantine.ThrowIfUnreadable(null);
        return passports.GetAsync(agent, asOfSeq, asOf, ct);
    }

    /// <summary>
    /// The passport of a registered agent over the prefix the query names: <paramref name="asOfSeqText"/> (a committed
    /// seq), <paramref name="asOfText"/> (the last event at or before that instant, which may not be in the future), or
    /// by default the last committed event. Bad values are PACT-101; an unknown agent PACT-404.
    /// </summary>
    public async Task<(AgentPassport? Passport, PactError? Error)> GetAsync(string agent, string? asOfSeqText, string? asOfText, CancellationToken ct)
    {
        if (!await agents.IsRegisteredAsync(agent, ct)) return (null, PactError.NotFound($"Agent {agent}"));
        if (asOfSeqText is not null && asOfText is not null)
            return (null, PactError.InvalidPayload("Give asOfSeq or asOf, not both.", "/asOf"));
        long? asOfSeq = null;
        if (asOfSeqText is not null)
        {
            if (!long.TryParse(asOfSeqText, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
                return (null, PactError.InvalidPayload("'asOfSeq' must be a non-negative integer.", "/asOfSeq"));
            asOfSeq = seq;
        }
        DateTimeOffset? asOf = null;
        if (asOfText is not null)
        {
            if (!Timestamp.TryParse(asOfText, out var instant))
                return (null, PactError.InvalidPayload("'asOf' must be a timestamp like 2026-12-06T00:00:00.000Z.", "/asOf"));
            asOf = instant;
        }
        var (prefix, error) = await PrefixAsync(asOfSeq, asOf, "/asOfSeq", ct);
        return error is not null ? (null, error) : (await PassportAsync(agent, prefix.AsOfSeq, prefix.AsOf, ct), null);
    }

    /// <summary>The check of §16 against the body's thresholds, as of its asOfSeq or the last committed event.</summary>
    public async Task<(PassportVerdict? Verdict, PactError? Error)> CheckAsync(string agent, JsonObject? body, CancellationToken ct)
    {
        if (!await agents.IsRegisteredAsync(agent, ct)) return (null, PactError.NotFound($"Agent {agent}"));
        var errors = new List<FieldError>();
        var requirement = PassportRequirement.Read(body, "", errors);
        long? asOfSeq = null;
        if (body?["asOfSeq"] is { } seqNode)
        {
            if (seqNode is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var seq)) asOfSeq = seq;
            else errors.Add(new FieldError("/asOfSeq", PactCodes.InvalidPayload, "'asOfSeq' must be an integer."));
        }
        if (errors.Count > 0) return (null, PactError.FromFieldErrors("Invalid payload", errors));
        var (prefix, error) = await PrefixAsync(asOfSeq, null, "/asOfSeq", ct);
        if (error is not null) return (null, error);
        var passport = await PassportAsync(agent, prefix.AsOfSeq, prefix.AsOf, ct);
        return (PassportCheck.Judge(passport, requirement!.Value), null);
    }

    /// <summary>The check as of the last committed event: what session.create's admission asks of each participant.</summary>
    public async Task<PassportVerdict> CheckAtHeadAsync(string agent, PassportRequirement requirement, CancellationToken ct)
    {
        var (prefix, _) = await PrefixAsync(null, null, "", ct);
        return PassportCheck.Judge(await PassportAsync(agent, prefix.AsOfSeq, prefix.AsOf, ct), requirement);
    }

    /// <summary>The passport over the log up to <paramref name="asOfSeq"/> (0: the empty log, as of now), as a policy's input takes it (§13).</summary>
    public async Task<AgentPassport> AsOfSeqAsync(string agent, long asOfSeq, CancellationToken ct)
    {
        if (asOfSeq <= 0) return await passports.GetAsync(agent, 0, Timestamp.ToText(time.GetUtcNow()), ct);
        return await passports.AsOfCommittedSeqAsync(agent, asOfSeq, ct);
    }

    /// <summary>The passport over the log up to <paramref name="asOfSeq"/> with its recent failures in the window ending at <paramref name="asOf"/>.</summary>
    public Task<AgentPassport> WithWindowAtAsync(string agent, long asOfSeq, string asOf, CancellationToken ct) =>
        passports.GetAsync(agent, asOfSeq, asOf, ct);

    /// <summary>
    /// The prefix of the log a passport is computed over, and the passport's asOf: the time of event asOfSeq; with
    /// ?asOf= matching no event, the instant given; on an empty log, now.
    /// </summary>
    private async Task<((long AsOfSeq, string AsOf) Prefix, PactError? Error)> PrefixAsync(long? asOfSeq, DateTimeOffset? asOf, string seqPointer, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var head = store.HeadSeq;
        long seq;
        if (asOf is { } instant)
        {
            if (instant > now) return (default, PactError.InvalidPayload("'asOf' is in the future.", "/asOf"));
            var text = Timestamp.ToText(instant);
            // A commit may land between reading the head and this: its seq is committed all the same, rows and time included.
            seq = await passports.LastSeqAtOrBeforeAsync(text, ct);
            if (seq == 0) return ((0, text), null);
        }
        else if (asOfSeq is { } given)
        {
            if (given < 1 || given > head)
            {
                return (default, PactError.InvalidPayload(head == 0
                    ? "The log is empty: there is no asOfSeq to ask for."
                    : $"'asOfSeq' must be between 1 and the last committed seq, {head}.", seqPointer));
            }
            seq = given;
        }
        else
        {
            seq = head;
        }
        if (seq == 0) return ((0, Timestamp.ToText(now)), null);
        var at = await passports.TimeOfAsync(seq, ct) ?? throw new InvalidOperationException($"Event {seq} is committed but has no time.");
        return ((seq, at), null);
    }
}

/// <summary>Registers the passport service and the extra reputation providers (Pact:Passport).</summary>
public static class PassportServices
{
    public static IServiceCollection AddPactPassports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPactSettings<Reputation.PassportOptions>(configuration, Reputation.PassportOptions.Section);
        services.AddSingleton<PassportService>();
        services.AddSingleton<Reputation.ReputationProviders>();
        services.AddHostedService(sp => sp.GetRequiredService<Reputation.ReputationProviders>());
        return services;
    }
}
