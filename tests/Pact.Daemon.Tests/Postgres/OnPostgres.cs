using Pact.Daemon.Tests.Durability;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Daemon.Tests.Mandates;
using Pact.Daemon.Tests.TransparencyLog;
using Pact.Daemon.Tests.Webhooks;

namespace Pact.Daemon.Tests.Postgres;

// The groups of daemon tests that exercise the store, run again on PostgreSQL: each class here inherits every test of
// the SQLite class it names and overrides only the store. Tests that read or alter pact.db (tampering, file copies, a
// SQLite daemon killed with kill -9) ask for DaemonStore.Sqlite themselves and are not repeated here; the whole suite
// runs on PostgreSQL with PACT_TEST_STORE=postgres. Where PostgreSQL is not installed and not required, these run on
// SQLite (DaemonStore.Postgres).

public sealed class NegotiationTestsOnPostgres : NegotiationTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class LifecycleTestsOnPostgres : LifecycleTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class DeadlineTestsOnPostgres : DeadlineTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class RestartTestsOnPostgres : RestartTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class BundleTestsOnPostgres : BundleTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class BundleRaceTestsOnPostgres : BundleRaceTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class BundlePassportTestsOnPostgres : BundlePassportTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class BundleSnapshotTestsOnPostgres : BundleSnapshotTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class PassportTestsOnPostgres : PassportTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class MandateGrantTestsOnPostgres : MandateGrantTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class MandateLimitTestsOnPostgres : MandateLimitTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class MandateRuntimeTestsOnPostgres : MandateRuntimeTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class MandateDecisionTieTestsOnPostgres : MandateDecisionTieTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class MandateAcknowledgmentTestsOnPostgres : MandateAcknowledgmentTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class WebhookDeliveryTestsOnPostgres : WebhookDeliveryTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class ExportTestsOnPostgres : ExportTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

// Classes sharing one daemon take it from their fixture (the SQLite fixture they inherit is started too, unused).

public sealed class StreamingTestsOnPostgres(PostgresDaemonFixture daemon) : StreamingTests(daemon), IClassFixture<PostgresDaemonFixture>;

public sealed class SessionLifecycleTestsOnPostgres(PostgresDaemonFixture daemon) : SessionLifecycleTests(daemon), IClassFixture<PostgresDaemonFixture>;

public sealed class BundleBestTestsOnPostgres : BundleBestTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class BundleDeclineRaceTestsOnPostgres : BundleDeclineRaceTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class BundleUpstreamTestsOnPostgres : BundleUpstreamTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class BundleMandateTestsOnPostgres : BundleMandateTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class BundleSuccessorVerifyTestsOnPostgres : BundleSuccessorVerifyTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class BundleMandateRaceTestsOnPostgres : BundleMandateRaceTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}

public sealed class BundleSlotTestsOnPostgres : BundleSlotTests
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}
