namespace Pact.Store.Postgres;

/// <summary>
/// The read models' tables on PostgreSQL, in their present shape (the SQLite store reaches the same shape through its
/// migration history). Text keys that are ordered or paged on are <c>COLLATE "C"</c>; JSON is stored as the canonical
/// text it is served as (jsonb would reorder members). Appended only, never edited, once released.
/// </summary>
internal static class PostgresReadModelSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE agents (
            did           text COLLATE "C" PRIMARY KEY,
            public_key    text NOT NULL,
            principal     text NOT NULL,
            display_name  text,
            registered_at text NOT NULL,
            seal          text);
        CREATE TABLE invites (
            code       text COLLATE "C" PRIMARY KEY,
            expires_at text NOT NULL,
            used_by    text,
            used_at    text,
            seal       text);
        CREATE TABLE nonces (
            signer       text   COLLATE "C" NOT NULL,
            nonce        text   COLLATE "C" NOT NULL,
            payload_hash text   NOT NULL,
            expires_at   bigint NOT NULL,
            status       integer NOT NULL,
            body         text   NOT NULL,
            seal         text,
            PRIMARY KEY (signer, nonce));
        CREATE INDEX nonces_by_expiry ON nonces (expires_at);
        CREATE TABLE sessions (
            session_id   text COLLATE "C" PRIMARY KEY,
            status       text NOT NULL,
            topic        text,
            metadata     text,
            created_at   text NOT NULL,
            participants text NOT NULL DEFAULT '[]');
        CREATE TABLE session_participants (
            agent      text COLLATE "C" NOT NULL,
            session_id text COLLATE "C" NOT NULL,
            PRIMARY KEY (agent, session_id));
        CREATE TABLE checkpoints (
            checkpoint_id text   COLLATE "C" PRIMARY KEY,
            session_id    text   COLLATE "C" NOT NULL,
            stream_seq    bigint NOT NULL,
            state_hash    text   NOT NULL,
            tree_size     bigint NOT NULL,
            label         text,
            created_at    text   NOT NULL,
            state         text   NOT NULL);
        CREATE INDEX checkpoints_by_session ON checkpoints (session_id, stream_seq);
        CREATE TABLE proposals (
            proposal_id text   COLLATE "C" PRIMARY KEY,
            session_id  text   COLLATE "C" NOT NULL,
            compact_id  text   COLLATE "C" NOT NULL,
            version     bigint NOT NULL,
            status      text   NOT NULL,
            proposer    text   NOT NULL,
            terms       text   NOT NULL,
            terms_hash  text   NOT NULL,
            signatures  text   NOT NULL,
            expires_at  text,
            created_at  text   NOT NULL,
            history     text   NOT NULL);
        CREATE INDEX proposals_by_slot ON proposals (compact_id, version);
        CREATE INDEX proposals_by_session ON proposals (session_id, proposal_id, compact_id, version, terms_hash, proposer, status);
        CREATE TABLE compacts (
            compact_id   text   COLLATE "C" NOT NULL,
            version      bigint NOT NULL,
            session_id   text   COLLATE "C" NOT NULL,
            status       text   NOT NULL,
            agent_a      text   COLLATE "C" NOT NULL,
            agent_b      text   COLLATE "C" NOT NULL,
            compact_hash text   NOT NULL,
            record       text   NOT NULL,
            in_force_at  text   NOT NULL,
            history      text   NOT NULL,
            PRIMARY KEY (compact_id, version));
        CREATE INDEX compacts_by_agent_a ON compacts (agent_a);
        CREATE INDEX compacts_by_agent_b ON compacts (agent_b);
        CREATE INDEX compacts_by_session ON compacts (session_id, compact_id, version, compact_hash, status);
        CREATE TABLE webhook_subscriptions (
            subscription_id      text    COLLATE "C" PRIMARY KEY,
            owner                text    COLLATE "C" NOT NULL,
            callback             text    NOT NULL,
            filter_types         text,
            filter_sessions      text,
            description          text,
            sealed_secret        text    NOT NULL,
            created_at           text    NOT NULL,
            after_seq            bigint  NOT NULL,
            status               text    NOT NULL,
            disabled_reason      text,
            disabled_at          text,
            consecutive_failures integer NOT NULL DEFAULT 0,
            seal                 text);
        CREATE INDEX webhook_subscriptions_by_owner ON webhook_subscriptions (owner, subscription_id);
        CREATE TABLE webhook_deliveries (
            delivery_id     text    COLLATE "C" PRIMARY KEY,
            subscription_id text    COLLATE "C" NOT NULL,
            seq             bigint  NOT NULL,
            type            text    NOT NULL,
            stream          text    NOT NULL,
            status          text    NOT NULL,
            attempt         integer NOT NULL DEFAULT 0,
            http_status     integer,
            error           text,
            attempted_at    text,
            next_attempt_at bigint,
            created_at      text    NOT NULL,
            seal            text,
            UNIQUE (subscription_id, seq));
        CREATE INDEX webhook_deliveries_first ON webhook_deliveries (subscription_id, seq) WHERE status = 'pending' AND attempt = 0;
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
        CREATE TABLE passport_counts (
            agent                   text   COLLATE "C" NOT NULL,
            seq                     bigint NOT NULL,
            compacts                bigint NOT NULL,
            honored                 bigint NOT NULL,
            active                  bigint NOT NULL,
            revoked_by_agent        bigint NOT NULL,
            revoked_by_counterparty bigint NOT NULL,
            failures                bigint NOT NULL,
            declined                bigint NOT NULL,
            PRIMARY KEY (agent, seq));
        CREATE TABLE passport_failures (
            agent         text   COLLATE "C" NOT NULL,
            seq           bigint NOT NULL,
            at            text   COLLATE "C" NOT NULL,
            code          text   NOT NULL,
            evidence_refs text   NOT NULL,
            PRIMARY KEY (agent, seq));
        CREATE INDEX passport_failures_by_time ON passport_failures (agent, at, seq);
        CREATE TABLE passport_revocations (
            revocation_id text COLLATE "C" PRIMARY KEY,
            initiator     text NOT NULL);
        CREATE TABLE log_clock (
            time text   COLLATE "C" PRIMARY KEY,
            seq  bigint NOT NULL);
        CREATE TABLE policies (
            policy_hash     text   COLLATE "C" PRIMARY KEY,
            name            text   NOT NULL,
            document        text   NOT NULL,
            effective_rules bigint NOT NULL,
            published_by    text   NOT NULL,
            published_at    text   NOT NULL);
        """,
    ];
}
