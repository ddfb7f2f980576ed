using Pact.Core.Terms;

namespace Pact.Core.Negotiation;

// Terms member by member: reading them back costs no parse and no schema check (they were checked when signed),
// which keeps a start from a snapshot cheap however many compacts it holds. The round trip is proven by ToJson.
public sealed partial record StateSnapshot
{
    private static void Write(BinaryWriter w, CompactTerms t)
    {
        w.Write(t.Acp);
        w.Write(t.CompactId);
        w.Write(t.Version);
        WriteOptional(w, t.Predecessor, (w, p) =>
        {
            w.Write(p.Version);
            w.Write(p.CompactHash);
        });
        w.Write((int)t.Tier);
        w.Write(t.Domain);
        w.Write(t.Stdlib);
        foreach (var party in (Party[])[t.Parties.A, t.Parties.B])
        {
            w.Write(party.Agent);
            w.Write(party.Principal.Id);
            w.Write((int)party.Principal.Kind);
            w.Write(party.Principal.Name);
        }
        w.Write(t.Scope.Interaction);
        Write(w, t.Scope.Effective.From);
        Write(w, t.Scope.Effective.Until);
        WriteOptional(w, t.Scope.OutOfScope);
        Write(w, t.Retention.A, Write);
        Write(w, t.Retention.B, Write);
        var r = t.Revocation;
        w.Write((int)r.Mode);
        w.Write(r.NoticePeriod);
        w.Write(r.AckTimeout);
        w.Write(r.Emergency);
        Write(w, r.Conditions, (w, c) => w.Write(c));
        Write(w, r.ResidualObligations, (w, o) => w.Write(o));
        Write(w, t.Upstream, (w, u) =>
        {
            w.Write(u.CompactId);
            w.Write(u.Version);
            Write(w, u.On, (w, on) => w.Write((int)on));
        });
        Write(w, t.Definitions.Categories, Write);
        Write(w, t.Definitions.Operations, (w, o) =>
        {
            w.Write(o.Id);
            w.Write(o.Definition);
            Write(w, o.OperatesOn, (w, s) => w.Write(s));
        });
        Write(w, t.Definitions.Recipients, Write);
        Write(w, t.Extensions, (w, e) =>
        {
            w.Write(e.Pointer);
            w.Write(e.Note);
        });
        WriteOptional(w, t.NegotiationTimeout);
    }

    private static CompactTerms ReadTerms(SnapshotReader r)
    {
        var acp = r.ReadString();
        var compactId = r.ReadString();
        var version = r.ReadInt64();
        var predecessor = ReadOptional(r, r => new PredecessorRef(r.ReadInt64(), r.ReadString()));
        var tier = ReadEnum<Tier>(r);
        var domain = r.ReadString();
        var stdlib = r.ReadString();
        static Party ReadParty(SnapshotReader r) => new(r.ReadString(), new Principal(r.ReadString(), ReadEnum<PrincipalKind>(r), r.ReadString()));
        var parties = new Parties(ReadParty(r), ReadParty(r));
        var scope = new Scope(r.ReadString(), new EffectiveInterval(ReadInstant(r), ReadInstant(r)), ReadOptional(r));
        var retention = new Retention(ReadList(r, ReadRetentionEntry), ReadList(r, ReadRetentionEntry));
        var revocation = new RevocationTerms(ReadEnum<RevocationMode>(r), r.ReadString(), r.ReadString(), r.ReadBoolean(),
            ReadList(r, r => r.ReadString()), ReadList(r, r => r.ReadString()));
        var upstream = ReadList(r, r => new UpstreamRef(r.ReadString(), r.ReadInt64(), ReadList(r, ReadEnum<UpstreamTrigger>)));
        var definitions = new Definitions(ReadList(r, ReadVocabulary),
            ReadList(r, r => new OperationDefinition(r.ReadString(), r.ReadString(), ReadList(r, r => r.ReadString()))), ReadList(r, ReadVocabulary));
        var extensions = ReadList(r, r => new TermsExtension(r.ReadString(), r.ReadString()));
        return new CompactTerms(acp, compactId, version, predecessor, tier, domain, stdlib, parties, scope, retention, revocation,
            upstream, definitions, extensions, ReadOptional(r));
    }

    private static void Write(BinaryWriter w, RetentionEntry e)
    {
        w.Write(e.Category);
        w.Write((int)e.Retain.Mode);
        WriteOptional(w, e.Retain.Period);
        WriteOptional(w, e.Retain.Anchor, (w, a) => w.Write((int)a));
        WriteOptional(w, e.Retain.Marker);
        Write(w, e.Derive, (w, d) => w.Write(d));
        Write(w, e.Propagate, Write);
        foreach (var rule in (DispositionRule?[])[e.Disposition.Revocation, e.Disposition.Expiration, e.Disposition.Supersession, e.Disposition.Upstream])
        {
            WriteOptional(w, rule, (w, x) =>
            {
                w.Write((int)x.Action);
                WriteOptional(w, x.Period);
                WriteOptional(w, x.Derive, (w, d) => Write(w, d, (w, s) => w.Write(s)));
                WriteOptional(w, x.Propagate, (w, p) => Write(w, p, Write));
            });
        }
    }

    private static RetentionEntry ReadRetentionEntry(SnapshotReader r)
    {
        var category = r.ReadString();
        var retain = new RetainRule(ReadEnum<RetainMode>(r), ReadOptional(r), ReadOptionalValue(r, ReadEnum<RetainAnchor>), ReadOptional(r));
        var derive = ReadList(r, r => r.ReadString());
        var propagate = ReadList(r, ReadEdge);
        static DispositionRule? ReadRule(SnapshotReader r) => ReadOptional(r, r => new DispositionRule(ReadEnum<DispositionAction>(r), ReadOptional(r),
            ReadOptional<IReadOnlyList<string>>(r, r => ReadList(r, r => r.ReadString())), ReadOptional<IReadOnlyList<PropagationEdge>>(r, r => ReadList(r, ReadEdge))));
        return new RetentionEntry(category, retain, derive, propagate, new Dispositions(ReadRule(r), ReadRule(r), ReadRule(r), ReadRule(r)));
    }

    private static void Write(BinaryWriter w, PropagationEdge p)
    {
        w.Write(p.To);
        w.Write((int)p.MinTier);
    }

    private static PropagationEdge ReadEdge(SnapshotReader r) => new(r.ReadString(), ReadEnum<Tier>(r));

    private static void Write(BinaryWriter w, VocabularyDefinition d)
    {
        w.Write(d.Id);
        w.Write(d.Definition);
    }

    private static VocabularyDefinition ReadVocabulary(SnapshotReader r) => new(r.ReadString(), r.ReadString());
}
