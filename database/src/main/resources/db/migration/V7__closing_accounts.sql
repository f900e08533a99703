-- Accounting that closes (issue 16, ADR 0018): every recipient of every occurrence ends sent,
-- failed, unknown, expired or skipped with a reason, and the counts below add up to the
-- recipients. Written by Herald only (the sender's result projection, from `deliveries`).

-- failed_count now counts `failed` alone; unknown and expired have their own columns.
ALTER TABLE broadcasts
    ADD COLUMN unknown_count   integer NOT NULL DEFAULT 0 CHECK (unknown_count >= 0),
    ADD COLUMN expired_count   integer NOT NULL DEFAULT 0 CHECK (expired_count >= 0),
    ADD COLUMN skipped_count   integer NOT NULL DEFAULT 0 CHECK (skipped_count >= 0),
    -- {"opted_out": 5, "not_tenant_contact": 10}
    ADD COLUMN skipped_reasons jsonb;

ALTER TABLE recurring_messages
    ADD COLUMN total_skipped integer NOT NULL DEFAULT 0 CHECK (total_skipped >= 0);
ALTER TABLE auto_post_schedules
    ADD COLUMN total_skipped integer NOT NULL DEFAULT 0 CHECK (total_skipped >= 0);

-- One history row per occurrence. execution_time is when it fired (its start), completed_at when
-- its last recipient got an outcome; status processing -> completed | partially_failed | failed.
ALTER TABLE recurring_message_logs
    ADD COLUMN unknown_count   integer NOT NULL DEFAULT 0 CHECK (unknown_count >= 0),
    ADD COLUMN expired_count   integer NOT NULL DEFAULT 0 CHECK (expired_count >= 0),
    ADD COLUMN skipped_count   integer NOT NULL DEFAULT 0 CHECK (skipped_count >= 0),
    ADD COLUMN skipped_reasons jsonb,
    ADD COLUMN completed_at    timestamptz;

-- Auto-posts get the same history, in a table of their own named like the seed's.
CREATE TABLE auto_post_logs (
    id                     bigserial   PRIMARY KEY,
    auto_post_schedule_id  uuid,
    user_id                uuid,
    occurrence_at          timestamptz,
    execution_time         timestamptz,
    sent_to_count          integer     NOT NULL DEFAULT 0 CHECK (sent_to_count >= 0),
    failed_count           integer     NOT NULL DEFAULT 0 CHECK (failed_count >= 0),
    unknown_count          integer     NOT NULL DEFAULT 0 CHECK (unknown_count >= 0),
    expired_count          integer     NOT NULL DEFAULT 0 CHECK (expired_count >= 0),
    skipped_count          integer     NOT NULL DEFAULT 0 CHECK (skipped_count >= 0),
    skipped_reasons        jsonb,
    recipient_count        integer,
    status                 text,
    completed_at           timestamptz,
    CONSTRAINT auto_post_logs_occurrence_uq UNIQUE (auto_post_schedule_id, occurrence_at)
);

-- The sweep looks for occurrences and broadcasts still open.
CREATE INDEX recurring_message_logs_open_idx ON recurring_message_logs (status)
    WHERE status = 'processing';
CREATE INDEX auto_post_logs_open_idx ON auto_post_logs (status) WHERE status = 'processing';
