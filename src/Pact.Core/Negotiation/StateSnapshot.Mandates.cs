using System.Text.Json.Nodes;
using Pact.Core.Mandates;

namespace Pact.Core.Negotiation;

// Mandates (§14) and the decisions they recorded. Their JSON members (the grant, its scope, a decision) are kept as the
// text the events carried, member order included: the wire echoes them as recorded (an action's mandate.grant, the
// mandate resource, the pending list's decision). They are few and small beside the terms, so a parse on read is cheap.
public sealed partial record StateSnapshot
{
    private static void Write(BinaryWriter w, MandateRecord m)
    {
        w.Write(m.MandateId);
        w.Write(m.MandateHash);
        w.Write(m.Agent);
        w.Write(m.PolicyHash);
        WriteOptional(w, m.Scope.Sessions, WriteStrings);
        WriteOptional(w, m.Scope.Counterparties, WriteStrings);
        WriteOptional(w, m.Scope.CompactIdPrefix);
        WriteJson(w, m.ScopeJson);
        WriteStrings(w, m.Acknowledge);
        Write(w, m.ExpiresAt);
        w.Write((int)m.Status);
        w.Write(m.GrantSeq);
        WriteJson(w, m.Grant);
        w.Write(m.Actions);
    }

    private static MandateRecord ReadMandate(SnapshotReader r) => new(
        r.ReadString(), r.ReadString(), r.ReadString(), r.ReadString(),
        new MandateScope(ReadOptional(r, ReadStrings), ReadOptional(r, ReadStrings), ReadOptional(r)),
        ReadJson(r), ReadStrings(r), ReadInstant(r), ReadEnum<MandateStatus>(r), r.ReadInt64(), ReadJson(r), r.ReadInt64());

    /// <summary>A mandate's decision on the proposal it judged: the proposal id, then the decision as recorded.</summary>
    private static void Write(BinaryWriter w, KeyValuePair<string, JsonObject> decision)
    {
        w.Write(decision.Key);
        WriteJson(w, decision.Value);
    }

    private static KeyValuePair<string, JsonObject> ReadMandateDecision(SnapshotReader r) => KeyValuePair.Create(r.ReadString(), ReadJson(r));

    private static void WriteStrings(BinaryWriter w, IReadOnlyList<string> items) => Write(w, items, (w, s) => w.Write(s));

    private static List<string> ReadStrings(SnapshotReader r) => ReadList(r, r => r.ReadString());

    private static void WriteJson(BinaryWriter w, JsonObject json) => w.Write(json.ToJsonString());

    private static JsonObject ReadJson(SnapshotReader r) => JsonNode.Parse(r.ReadString())?.AsObject() ?? throw new FormatException("a JSON member is null");
}
