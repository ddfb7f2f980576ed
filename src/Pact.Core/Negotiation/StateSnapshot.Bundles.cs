using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Pact.Core.Bundles;
using Pact.Core.Compacts;
using Pact.Core.Terms;

namespace Pact.Core.Negotiation;

// Bundles (§15). Their JSON members (select, each member's signed { terms, signature }, the ranking, the abort's cause)
// are kept as the text the events carried, as mandates' are. The parsed select is not written: it is read again from
// the select's text, as the fold reads it from bundle.created. A prepared member's countersignature is written member
// by member, its principal authorization as the JSON it reads from.
public sealed partial record StateSnapshot
{
    private static void Write(BinaryWriter w, BundleRecord b)
    {
        w.Write(b.BundleId);
        w.Write(b.SessionId);
        w.Write(b.Coordinator);
        WriteJson(w, b.SelectJson);
        Write(w, b.CreatedAt);
        Write(w, b.IssuedAt);
        Write(w, b.ClosesAt);
        Write(w, b.Members, (w, m) =>
        {
            w.Write(m.ProposalId);
            WriteJson(w, m.Payload);
            w.Write((int)m.CoordinatorRole);
            w.Write(m.Counterparty);
        });
        w.Write((int)b.Status);
        Write(w, b.Prepared.OrderBy(p => p.Key, StringComparer.Ordinal), (w, p) =>
        {
            w.Write(p.Key);
            w.Write((int)p.Value.Party);
            w.Write(p.Value.Agent);
            w.Write(p.Value.Sig);
            Write(w, p.Value.SignedAt);
            WriteJson(w, p.Value.PrincipalAuthorization.ToJson());
            // A countersignature made under a mandate (§14) keeps its signer and mandate for the record.
            WriteOptional(w, p.Value.Signer);
            WriteOptional(w, p.Value.Mandate, WriteJson);
        });
        WriteOptional(w, b.Selected, (w, ids) => WriteStrings(w, ids));
        WriteOptional(w, b.Ranking, (w, ranking) => w.Write(ranking.ToJsonString()));
        WriteOptional(w, b.Cause, WriteJson);
    }

    private static BundleRecord ReadBundle(SnapshotReader r)
    {
        var (bundleId, sessionId, coordinator, selectJson) = (r.ReadString(), r.ReadString(), r.ReadString(), ReadJson(r));
        var (createdAt, issuedAt, closesAt) = (ReadInstant(r), ReadInstant(r), ReadInstant(r));
        var members = ReadList(r, r => new BundleMember(r.ReadString(), ReadJson(r), ReadEnum<PartyRole>(r), r.ReadString())).ToImmutableArray();
        var status = ReadEnum<BundleStatus>(r);
        var prepared = ReadList(r, r => KeyValuePair.Create(r.ReadString(), new SignatureEntry(
            ReadEnum<PartyRole>(r), r.ReadString(), r.ReadString(), ReadInstant(r), ReadAuthorization(r))
        {
            Signer = ReadOptional(r),
            Mandate = ReadOptional(r, ReadJson),
        }));
        var selected = ReadOptionalValue(r, r => ReadStrings(r).ToImmutableArray());
        var ranking = ReadOptional(r, r => JsonNode.Parse(r.ReadString()) as JsonArray ?? throw new FormatException("a bundle's ranking is not an array"));
        var cause = ReadOptional(r, ReadJson);
        var errors = new List<Errors.FieldError>();
        var select = BundleSelect.Read(selectJson, members.Length, "/select", errors)
            ?? throw new FormatException($"bundle {bundleId}'s select does not read");
        return new BundleRecord(bundleId, sessionId, coordinator, selectJson, select, createdAt, issuedAt, closesAt, members, status)
        {
            Prepared = ImmutableDictionary.CreateRange(prepared),
            Selected = selected,
            Ranking = ranking,
            Cause = cause,
        };
    }

    private static PrincipalAuthorization ReadAuthorization(SnapshotReader r) =>
        PrincipalAuthorization.FromJson(ReadJson(r)).Authorization ?? throw new FormatException("a principal authorization does not read");
}
