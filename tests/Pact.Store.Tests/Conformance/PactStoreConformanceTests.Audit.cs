using FluentAssertions;

namespace Pact.Store.Tests.Conformance;

// The audit (§ read models checked against the log): a store that only its own writer wrote audits clean.
public abstract partial class PactStoreConformanceTests
{
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task An_audit_of_a_store_its_writer_alone_wrote_finds_nothing(int seed)
    {
        var generator = new PassportLogGenerator(seed);
        for (var i = 0; i < 60; i++)
        {
            // Some requests queued together, so the writer commits them as one batch.
            await Task.WhenAll(Enumerable.Range(0, 1 + i % 3).Select(_ => Store.AppendAsync(generator.NextRequest())));
        }

        var audit = await Store.AuditAsync();

        audit.ThroughSeq.Should().Be(Store.HeadSeq);
        audit.FileDamage.Should().BeEmpty();
        audit.Sessions.Should().BeEmpty();
        audit.Global.Should().BeEmpty();
        audit.IsClean.Should().BeTrue();
    }
}
