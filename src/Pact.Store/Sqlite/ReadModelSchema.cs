namespace Pact.Store.Sqlite;

/// <summary>
/// The read models' tables (agents, nonces, invites, sessions, session checkpoints, proposals, compacts, the webhook
/// outbox, passports, the log clock, published policies, the row seals, and the state snapshot), applied after the log's own migration. Append new scripts at the end; never edit a released one
/// (PRAGMA user_version counts them, and a data directory written by an earlier build must open unchanged).
/// </summary>
internal static class ReadModelSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE agents(
            did TEXT PRIMARY KEY,
            public_key TEXT NOT NULL,
            principal TEXT NOT NULL,
            display_name TEXT,
            registered_at TEXT NOT NULL);
        CREATE TABLE nonces(
            signer TEXT NOT NULL,
            nonce TEXT NOT NULL,
            payload_hash TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            status INTEGER NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY(signer, nonce)) WITHOUT ROWID;
        CREATE INDEX nonces_by_expiry ON nonces(expires_at);
        CREATE TABLE invites(
            code TEXT PRIMARY KEY,
            expires_at TEXT NOT NULL,
            used_by TEXT,
            used_at TEXT);
        CREATE TABLE sessions(
            session_id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            topic TEXT,
            metadata TEXT,
            created_at TEXT NOT NULL,
            state TEXT NOT NULL);
        CREATE TABLE session_participants(
            agent TEXT NOT NULL,
            session_id TEXT NOT NULL,
            PRIMARY KEY(agent, session_id)) WITHOUT ROWID;
        CREATE TABLE checkpoints(
            checkpoint_id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL,
            stream_seq INTEGER NOT NULL,
            state_hash TEXT NOT NULL,
            tree_size INTEGER NOT NULL,
            label TEXT,
            created_at TEXT NOT NULL,
            state TEXT NOT NULL);
        CREATE INDEX checkpoints_by_session ON checkpoints(session_id, stream_seq);
        """,
        """
        CREATE TABLE proposals(
            proposal_id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL,
            compact_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            status TEXT NOT NULL,
            proposer TEXT NOT NULL,
            terms TEXT NOT NULL,
            terms_hash TEXT NOT NULL,
            signatures TEXT NOT NULL,
            expires_at TEXT,
            created_at TEXT NOT NULL,
            history TEXT NOT NULL);
        CREATE INDEX proposals_by_slot ON proposals(compact_id, version);
        CREATE INDEX proposals_by_session ON proposals(session_id);
        CREATE TABLE compacts(
            compact_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            session_id TEXT NOT NULL,
            status TEXT NOT NULL,
            agent_a TEXT NOT NULL,
            agent_b TEXT NOT NULL,
            compact_hash TEXT NOT NULL,
            record TEXT NOT NULL,
            in_force_at TEXT NOT NULL,
            history TEXT NOT NULL,
            PRIMARY KEY(compact_id, version)) WITHOUT ROWID;
        CREATE INDEX compacts_by_agent_a ON compacts(agent_a);
        CREATE INDEX compacts_by_agent_b ON compacts(agent_b);
        """,
        """
        CREATE TABLE webhook_subscriptions(
            subscription_id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            callback TEXT NOT NULL,
            filter_types TEXT,
            filter_sessions TEXT,
            description TEXT,
            sealed_secret TEXT NOT NULL,
            created_at TEXT NOT NULL,
            after_seq INTEGER NOT NULL,
            status TEXT NOT NULL,
            disabled_reason TEXT,
            disabled_at TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX webhook_subscriptions_by_owner ON webhook_subscriptions(owner, subscription_id);
        CREATE TABLE webhook_deliveries(
            delivery_id TEXT PRIMARY KEY,
            subscription_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            type TEXT NOT NULL,
            stream TEXT NOT NULL,
            status TEXT NOT NULL,
            attempt INTEGER NOT NULL DEFAULT 0,
            http_status INTEGER,
            error TEXT,
            attempted_at TEXT,
            next_attempt_at INTEGER,
            created_at TEXT NOT NULL,
            UNIQUE(subscription_id, seq));
        CREATE INDEX webhook_deliveries_first ON webhook_deliveries(subscription_id, seq) WHERE status = 'pending' AND attempt = 0;
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
        """,
        // The §7 state is no longer one JSON text per session rewritten by every event (its cost grew with each
        // negotiation): it is assembled from the session row and the session's proposals and compacts rows.
        """
        ALTER TABLE sessions ADD COLUMN participants TEXT NOT NULL DEFAULT '[]';
        UPDATE sessions SET participants = json_extract(state, '$.participants');
        ALTER TABLE sessions DROP COLUMN state;
        -- Covering indexes: the state is read from them alone, never from the rows with their large terms and records.
        DROP INDEX proposals_by_session;
        CREATE INDEX proposals_by_session ON proposals(session_id, proposal_id, compact_id, version, terms_hash, proposer, status);
        CREATE INDEX compacts_by_session ON compacts(session_id, compact_id, version, compact_hash, status);
        """,
        // Passports (§16), answered as of any seq without reading the log: an agent's counts after each event that
        // changed them, the failures counted against it, who initiated each revocation. The log clock keeps, for
        // every instant, the last event at or before it (times are ordered within a stream, not across streams).
        // A log written before this migration is folded into the passport tables once, at open (projection_backfill).
        """
        CREATE TABLE passport_counts(
            agent TEXT NOT NULL,
            seq INTEGER NOT NULL,
            compacts INTEGER NOT NULL,
            honored INTEGER NOT NULL,
            active INTEGER NOT NULL,
            revoked_by_agent INTEGER NOT NULL,
            revoked_by_counterparty INTEGER NOT NULL,
            failures INTEGER NOT NULL,
            declined INTEGER NOT NULL,
            PRIMARY KEY(agent, seq)) WITHOUT ROWID;
        CREATE TABLE passport_failures(
            agent TEXT NOT NULL,
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            code TEXT NOT NULL,
            evidence_refs TEXT NOT NULL,
            PRIMARY KEY(agent, seq)) WITHOUT ROWID;
        CREATE INDEX passport_failures_by_time ON passport_failures(agent, at, seq);
        CREATE TABLE passport_revocations(
            revocation_id TEXT PRIMARY KEY,
            initiator TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE log_clock(
            time TEXT PRIMARY KEY,
            seq INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO log_clock(time, seq)
            SELECT time, seq FROM (
                SELECT time, max(seq) AS seq, max(max(seq)) OVER (ORDER BY time ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier
                FROM events GROUP BY time)
            WHERE earlier IS NULL OR seq > earlier;
        CREATE TABLE projection_backfill(
            projection TEXT PRIMARY KEY,
            after_seq INTEGER NOT NULL,
            through_seq INTEGER NOT NULL);
        INSERT INTO projection_backfill(projection, after_seq, through_seq)
            SELECT 'passport', 0, seq FROM events ORDER BY seq DESC LIMIT 1;
        """,
        // Published policies (§13): content-addressed documents, not events; a policy is never changed or removed.
        """
        CREATE TABLE policies(
            policy_hash TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            document TEXT NOT NULL,
            effective_rules INTEGER NOT NULL,
            published_by TEXT NOT NULL,
            published_at TEXT NOT NULL) WITHOUT ROWID;
        """,
        // Row seals (RowSeals): the tables no event gives carry an HMAC of each row, kept by triggers as the writer
        // inserts and changes rows; rows written before this migration are sealed as they are found.
        """
        ALTER TABLE agents ADD COLUMN seal TEXT;
        UPDATE agents SET seal = pact_seal('agents', did, public_key, principal, display_name, registered_at);
        CREATE TRIGGER agents_sealed_on_insert AFTER INSERT ON agents
        BEGIN UPDATE agents SET seal = pact_seal('agents', NEW.did, NEW.public_key, NEW.principal, NEW.display_name, NEW.registered_at) WHERE rowid = NEW.rowid; END;
        CREATE TRIGGER agents_sealed_on_update AFTER UPDATE OF did, public_key, principal, display_name, registered_at ON agents
        BEGIN UPDATE agents SET seal = pact_seal('agents', NEW.did, NEW.public_key, NEW.principal, NEW.display_name, NEW.registered_at) WHERE rowid = NEW.rowid; END;
        ALTER TABLE invites ADD COLUMN seal TEXT;
        UPDATE invites SET seal = pact_seal('invites', code, expires_at, used_by, used_at);
        CREATE TRIGGER invites_sealed_on_insert AFTER INSERT ON invites
        BEGIN UPDATE invites SET seal = pact_seal('invites', NEW.code, NEW.expires_at, NEW.used_by, NEW.used_at) WHERE rowid = NEW.rowid; END;
        CREATE TRIGGER invites_sealed_on_update AFTER UPDATE OF code, expires_at, used_by, used_at ON invites
        BEGIN UPDATE invites SET seal = pact_seal('invites', NEW.code, NEW.expires_at, NEW.used_by, NEW.used_at) WHERE rowid = NEW.rowid; END;
        ALTER TABLE nonces ADD COLUMN seal TEXT;
        UPDATE nonces SET seal = pact_seal('nonces', signer, nonce, payload_hash, expires_at, status, body);
        CREATE TRIGGER nonces_sealed_on_insert AFTER INSERT ON nonces
        BEGIN UPDATE nonces SET seal = pact_seal('nonces', NEW.signer, NEW.nonce, NEW.payload_hash, NEW.expires_at, NEW.status, NEW.body) WHERE signer = NEW.signer AND nonce = NEW.nonce; END;
        CREATE TRIGGER nonces_sealed_on_update AFTER UPDATE OF signer, nonce, payload_hash, expires_at, status, body ON nonces
        BEGIN UPDATE nonces SET seal = pact_seal('nonces', NEW.signer, NEW.nonce, NEW.payload_hash, NEW.expires_at, NEW.status, NEW.body) WHERE signer = NEW.signer AND nonce = NEW.nonce; END;
        ALTER TABLE webhook_subscriptions ADD COLUMN seal TEXT;
        UPDATE webhook_subscriptions SET seal = pact_seal('webhook_subscriptions', subscription_id, owner, callback, filter_types, filter_sessions, description, sealed_secret, created_at, after_seq, status, disabled_reason, disabled_at, consecutive_failures);
        CREATE TRIGGER webhook_subscriptions_sealed_on_insert AFTER INSERT ON webhook_subscriptions
        BEGIN UPDATE webhook_subscriptions SET seal = pact_seal('webhook_subscriptions', NEW.subscription_id, NEW.owner, NEW.callback, NEW.filter_types, NEW.filter_sessions, NEW.description, NEW.sealed_secret, NEW.created_at, NEW.after_seq, NEW.status, NEW.disabled_reason, NEW.disabled_at, NEW.consecutive_failures) WHERE rowid = NEW.rowid; END;
        CREATE TRIGGER webhook_subscriptions_sealed_on_update AFTER UPDATE OF subscription_id, owner, callback, filter_types, filter_sessions, description, sealed_secret, created_at, after_seq, status, disabled_reason, disabled_at, consecutive_failures ON webhook_subscriptions
        BEGIN UPDATE webhook_subscriptions SET seal = pact_seal('webhook_subscriptions', NEW.subscription_id, NEW.owner, NEW.callback, NEW.filter_types, NEW.filter_sessions, NEW.description, NEW.sealed_secret, NEW.created_at, NEW.after_seq, NEW.status, NEW.disabled_reason, NEW.disabled_at, NEW.consecutive_failures) WHERE rowid = NEW.rowid; END;
        ALTER TABLE webhook_deliveries ADD COLUMN seal TEXT;
        UPDATE webhook_deliveries SET seal = pact_seal('webhook_deliveries', delivery_id, subscription_id, seq, type, stream, status, attempt, http_status, error, attempted_at, next_attempt_at, created_at);
        CREATE TRIGGER webhook_deliveries_sealed_on_insert AFTER INSERT ON webhook_deliveries
        BEGIN UPDATE webhook_deliveries SET seal = pact_seal('webhook_deliveries', NEW.delivery_id, NEW.subscription_id, NEW.seq, NEW.type, NEW.stream, NEW.status, NEW.attempt, NEW.http_status, NEW.error, NEW.attempted_at, NEW.next_attempt_at, NEW.created_at) WHERE rowid = NEW.rowid; END;
        CREATE TRIGGER webhook_deliveries_sealed_on_update AFTER UPDATE OF delivery_id, subscription_id, seq, type, stream, status, attempt, http_status, error, attempted_at, next_attempt_at, created_at ON webhook_deliveries
        BEGIN UPDATE webhook_deliveries SET seal = pact_seal('webhook_deliveries', NEW.delivery_id, NEW.subscription_id, NEW.seq, NEW.type, NEW.stream, NEW.status, NEW.attempt, NEW.http_status, NEW.error, NEW.attempted_at, NEW.next_attempt_at, NEW.created_at) WHERE rowid = NEW.rowid; END;
        """,
        // The latest snapshot of the daemon's decision state (IStateSnapshotStore): a start folds only the events after
        // it. Sealed by the store as it writes the row (RowSeals.Seal), checked as it reads it.
        """
        CREATE TABLE state_snapshots(
            through_seq INTEGER PRIMARY KEY,
            event_hash TEXT NOT NULL,
            format INTEGER NOT NULL,
            body BLOB NOT NULL,
            body_hash TEXT NOT NULL,
            written_at TEXT NOT NULL,
            seal TEXT NOT NULL);
        """,
        // Bundles (§15): a proposal made as a bundle member names its bundle.
        """
        ALTER TABLE proposals ADD COLUMN bundle_id TEXT;
        """,
        // nonces in the order they are remembered (about the order they expire in), found through a unique index of
        // (signer, nonce): a remembered nonce now changes the table's last page and one page of small index entries,
        // where each was a row of about 600 bytes, response included, put at a random place in the table (ADR 0018).
        // Seals are copied as they are (a row altered before still fails the audit); the rename re-checks the schema's
        // triggers, which call pact_seal, so this runs only where that function is registered (the writer, the audit).
        """
        CREATE TABLE nonces_in_write_order(
            signer TEXT NOT NULL,
            nonce TEXT NOT NULL,
            payload_hash TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            status INTEGER NOT NULL,
            body TEXT NOT NULL,
            seal TEXT,
            UNIQUE(signer, nonce));
        INSERT INTO nonces_in_write_order (signer, nonce, payload_hash, expires_at, status, body, seal)
            SELECT signer, nonce, payload_hash, expires_at, status, body, seal FROM nonces ORDER BY expires_at;
        DROP TRIGGER nonces_sealed_on_insert;
        DROP TRIGGER nonces_sealed_on_update;
        DROP INDEX nonces_by_expiry;
        DROP TABLE nonces;
        ALTER TABLE nonces_in_write_order RENAME TO nonces;
        CREATE INDEX nonces_by_expiry ON nonces(expires_at);
        CREATE TRIGGER nonces_sealed_on_insert AFTER INSERT ON nonces
        BEGIN UPDATE nonces SET seal = pact_seal('nonces', NEW.signer, NEW.nonce, NEW.payload_hash, NEW.expires_at, NEW.status, NEW.body) WHERE rowid = NEW.rowid; END;
        CREATE TRIGGER nonces_sealed_on_update AFTER UPDATE OF signer, nonce, payload_hash, expires_at, status, body ON nonces
        BEGIN UPDATE nonces SET seal = pact_seal('nonces', NEW.signer, NEW.nonce, NEW.payload_hash, NEW.expires_at, NEW.status, NEW.body) WHERE rowid = NEW.rowid; END;
        """,
    ];
}
