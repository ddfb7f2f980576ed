using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Contracts.Responses;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Passport;

namespace Pact.Client.Verification;

/// <summary>What recomputing a served passport from the log found.</summary>
/// <param name="Ok">The served passport is the one the log gives, and its passportHash is its content's.</param>
/// <param name="Agent">The agent whose passport was audited.</param>
/// <param name="AsOfSeq">The seq it was audited as of.</param>
/// <param name="EventsFolded">Events of the log folded: every seq from 1 to <paramref name="AsOfSeq"/>.</param>
/// <param name="ServedHash">The passportHash the daemon served.</param>
/// <param name="RecomputedHash">The passportHash of the passport recomputed from the log, or null when the log read fell short.</param>
/// <param name="FirstDifference">The first member that differs, or what kept the audit from recomputing; null when it holds.</param>
public sealed record PassportAuditResult(
    bool Ok, string Agent, long AsOfSeq, long EventsFolded, string ServedHash, string? RecomputedHash, string? FirstDifference);

/// <summary>
/// The audit of a passport (§16): fold the log itself — every event from seq 1 to the passport's <c>asOfSeq</c>, with
/// Pact Core's <see cref="PassportLedger"/>, never the daemon's passport tables — and compare with what the daemon
/// served, member by member and by passportHash. Read the log with <see cref="PactClient.ReadLogAsync"/> (with the
/// admin token, which reads every stream) or from a file of JSON Lines with <see cref="ReadJsonLines"/>.
/// </summary>
public static class PassportAudit
{
    /// <summary>Folds <paramref name="log"/> (events in seq order from seq 1; later ones are not read) and compares.</summary>
    public static async Task<PassportAuditResult> CompareAsync(PassportResponse served, IAsyncEnumerable<TranscriptEvent> log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(served);
        ArgumentNullException.ThrowIfNull(log);
        var ledger = new PassportLedger();
        if (served.AsOfSeq > 0)
        {
            await foreach (var e in log.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (Fold(ledger, e) is { } gap) return Short(served, ledger.Seq, gap);
                if (ledger.Seq == served.AsOfSeq) break;
            }
        }
        return Compare(served, ledger);
    }

    /// <summary>Folds <paramref name="log"/> (events in seq order from seq 1; later ones are not read) and compares.</summary>
    public static PassportAuditResult Compare(PassportResponse served, IEnumerable<TranscriptEvent> log)
    {
        ArgumentNullException.ThrowIfNull(served);
        ArgumentNullException.ThrowIfNull(log);
        var ledger = new PassportLedger();
        if (served.AsOfSeq > 0)
        {
            foreach (var e in log)
            {
                if (Fold(ledger, e) is { } gap) return Short(served, ledger.Seq, gap);
                if (ledger.Seq == served.AsOfSeq) break;
            }
        }
        return Compare(served, ledger);
    }

    /// <summary>A log kept as JSON Lines, one event a line (what <c>pact tail --all --json</c> prints); blank lines are skipped.</summary>
    public static async IAsyncEnumerable<TranscriptEvent> ReadJsonLines(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(path);
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            TranscriptEvent e;
            try
            {
                e = TranscriptEvent.FromJson(StrictJson.Parse(line) as JsonObject ?? throw new InvalidDataException("not a JSON object"));
            }
            catch (Exception x) when (x is JsonException or InvalidDataException or InvalidOperationException or FormatException or NullReferenceException)
            {
                throw new InvalidDataException($"{path}, line {number}: not an event ({x.Message}).", x);
            }
            yield return e;
        }
    }

    /// <summary>Folds the next event, or says why the log read cannot be the log: an audit folds every seq.</summary>
    private static string? Fold(PassportLedger ledger, TranscriptEvent e)
    {
        if (e.Seq == ledger.Seq + 1)
        {
            ledger.Apply(e);
            return null;
        }
        return $"The log read skips from seq {ledger.Seq} to {e.Seq}: an audit folds every event " +
            "(an agent's token reads only its own streams; use the admin token, or a complete log file).";
    }

    private static PassportAuditResult Compare(PassportResponse served, PassportLedger ledger)
    {
        if (ledger.Seq < served.AsOfSeq)
            return Short(served, ledger.Seq, $"The log read ends at seq {ledger.Seq}, before the passport's asOfSeq {served.AsOfSeq}.");
        var document = JsonSerializer.SerializeToNode(served, PactJson.Options)!.AsObject();
        // The log's passport is dated as the daemon dates it: by event asOfSeq's time, or the instant asked for before any event.
        var recomputed = ledger.PassportOf(served.Agent, served.AsOfSeq == 0 ? served.AsOf : null);
        var difference = AgentPassport.HashOf(document) != served.PassportHash
            ? $"The served passportHash {served.PassportHash} is not the hash of the served passport."
            : FirstDifference(recomputed.Content(), document);
        if (difference is null && recomputed.Hash != served.PassportHash) difference = "The passportHash differs.";
        return new(difference is null, served.Agent, served.AsOfSeq, ledger.Seq, served.PassportHash, recomputed.Hash, difference);
    }

    /// <summary>
    /// The first member whose served value is not the log's: "counts.failures: served 1, the log gives 0". Causes come
    /// before what follows from them: the counts and failures before the score and confidence computed from them.
    /// </summary>
    private static string? FirstDifference(JsonObject expected, JsonObject served, string prefix = "")
    {
        var causesFirst = expected.OrderBy(m => m.Key is "score" or "confidence" ? 1 : 0);
        foreach (var (name, value) in causesFirst)
        {
            var other = served[name];
            if (value is JsonObject inner && other is JsonObject otherInner)
            {
                if (FirstDifference(inner, otherInner, prefix + name + ".") is { } nested) return nested;
            }
            else if (Jcs.CanonicalString(value) != Jcs.CanonicalString(other))
            {
                return $"{prefix}{name}: served {Jcs.CanonicalString(other)}, the log gives {Jcs.CanonicalString(value)}.";
            }
        }
        return null;
    }

    private static PassportAuditResult Short(PassportResponse served, long folded, string why) =>
        new(false, served.Agent, served.AsOfSeq, folded, served.PassportHash, null, why);
}
