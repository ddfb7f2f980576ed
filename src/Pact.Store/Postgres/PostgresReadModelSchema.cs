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
        // Row seals (see RowSeals): the tables no event gives carry an HMAC-SHA256 of each row under the store's seal key,
        // kept by triggers. The key is a setting of the writer's session only (pact.seal_key, set when it connects), so
        // another program that writes these tables without it fails. HMAC in SQL (RFC 2104 over sha256()): no extension.
        """
        CREATE FUNCTION pact_hmac_sha256(key bytea, message bytea) RETURNS bytea LANGUAGE plpgsql IMMUTABLE STRICT AS $$
        DECLARE
            k bytea := CASE WHEN length(key) > 64 THEN sha256(key) ELSE key END;
            inner_key bytea;
            outer_key bytea;
        BEGIN
            k := k || decode(repeat('00', 64 - length(k)), 'hex');
            inner_key := k;
            outer_key := k;
            FOR i IN 0..63 LOOP
                inner_key := set_byte(inner_key, i, get_byte(k, i) # 54);
                outer_key := set_byte(outer_key, i, get_byte(k, i) # 92);
            END LOOP;
            RETURN sha256(outer_key || sha256(inner_key || message));
        END $$;
        CREATE FUNCTION pact_seal(table_name text, VARIADIC columns text[]) RETURNS text LANGUAGE plpgsql STABLE AS $$
        DECLARE
            key text := current_setting('pact.seal_key', true);
            message bytea := int4send(octet_length(table_name)) || convert_to(table_name, 'UTF8');
            value text;
        BEGIN
            IF key IS NULL OR key NOT LIKE 'k:%' THEN
                RAISE EXCEPTION 'rows of % are sealed: only the Pact writer may write them', table_name;
            END IF;
            -- Each column: a NULL marker, or its length and its UTF-8 text, so no two different rows share a message.
            FOREACH value IN ARRAY columns LOOP
                IF value IS NULL THEN
                    message := message || decode('00', 'hex');
                ELSE
                    message := message || decode('01', 'hex') || int4send(octet_length(value)) || convert_to(value, 'UTF8');
                END IF;
            END LOOP;
            RETURN encode(pact_hmac_sha256(decode(substr(key, 3), 'hex'), message), 'hex');
        END $$;
        CREATE FUNCTION agents_seal() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.seal := pact_seal('agents', NEW.did::text, NEW.public_key::text, NEW.principal::text, NEW.display_name::text, NEW.registered_at::text); RETURN NEW; END $$;
        CREATE TRIGGER agents_sealed BEFORE INSERT OR UPDATE ON agents FOR EACH ROW EXECUTE FUNCTION agents_seal();
        CREATE FUNCTION invites_seal() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.seal := pact_seal('invites', NEW.code::text, NEW.expires_at::text, NEW.used_by::text, NEW.used_at::text); RETURN NEW; END $$;
        CREATE TRIGGER invites_sealed BEFORE INSERT OR UPDATE ON invites FOR EACH ROW EXECUTE FUNCTION invites_seal();
        CREATE FUNCTION nonces_seal() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.seal := pact_seal('nonces', NEW.signer::text, NEW.nonce::text, NEW.payload_hash::text, NEW.expires_at::text, NEW.status::text, NEW.body::text); RETURN NEW; END $$;
        CREATE TRIGGER nonces_sealed BEFORE INSERT OR UPDATE ON nonces FOR EACH ROW EXECUTE FUNCTION nonces_seal();
        CREATE FUNCTION webhook_subscriptions_seal() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.seal := pact_seal('webhook_subscriptions', NEW.subscription_id::text, NEW.owner::text, NEW.callback::text, NEW.filter_types::text, NEW.filter_sessions::text, NEW.description::text, NEW.sealed_secret::text, NEW.created_at::text, NEW.after_seq::text, NEW.status::text, NEW.disabled_reason::text, NEW.disabled_at::text, NEW.consecutive_failures::text); RETURN NEW; END $$;
        CREATE TRIGGER webhook_subscriptions_sealed BEFORE INSERT OR UPDATE ON webhook_subscriptions FOR EACH ROW EXECUTE FUNCTION webhook_subscriptions_seal();
        CREATE FUNCTION webhook_deliveries_seal() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.seal := pact_seal('webhook_deliveries', NEW.delivery_id::text, NEW.subscription_id::text, NEW.seq::text, NEW.type::text, NEW.stream::text, NEW.status::text, NEW.attempt::text, NEW.http_status::text, NEW.error::text, NEW.attempted_at::text, NEW.next_attempt_at::text, NEW.created_at::text); RETURN NEW; END $$;
        CREATE TRIGGER webhook_deliveries_sealed BEFORE INSERT OR UPDATE ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION webhook_deliveries_seal();
        """,
        // The latest snapshot of the daemon's decision state (IStateSnapshotStore), sealed by the store as it writes the
        // row (RowSeals.Seal, in C#: the same code as on SQLite) and checked as it reads it.
        """
        CREATE TABLE state_snapshots (
            through_seq bigint  PRIMARY KEY,
            event_hash  text    NOT NULL,
            format      integer NOT NULL,
            body        bytea   NOT NULL,
            body_hash   text    NOT NULL,
            written_at  text    NOT NULL,
            seal        text    NOT NULL);
        """,
        // Bundles (§15): a proposal made as a bundle member names its bundle (as SQLite's migration does).
        """
        ALTER TABLE proposals ADD COLUMN bundle_id text COLLATE "C";
        """,
        // Several instances (ADR 0013): where the instance holding the writer role takes requests, for standbys to forward to.
        """
        CREATE TABLE pact_writer (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            url       text    NOT NULL,
            since     text    NOT NULL);
        """,
        // Several instances (ADR 0013): the daemon identity the database belongs to, recorded by the first instance that
        // starts on it; an instance with another key refuses to start.
        """
        CREATE TABLE pact_identity (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            daemon_id text    NOT NULL,
            since     text    NOT NULL);
        """,
    ];
}
