-- Retention (ADR 0019): the sender purges finished deliveries and old history rows, and no number a
-- user sees may move when it does. A definition's totals are its history rows' counts plus what
-- the history rows purged so far had counted, kept here.
--
-- A table of its own rather than columns on recurring_messages / auto_post_schedules: those tables
-- are in the CDC publication with REPLICA IDENTITY FULL, and the scheduler's CDC treats a change of
-- any column it does not know as a user's edit of the definition. Folding a purged row in would
-- then re-feed every definition to the scheduler. This table is in no publication.
CREATE TABLE archived_totals (
    -- recurring | autopost
    schedule_kind text    NOT NULL,
    schedule_id   uuid    NOT NULL,
    archived_sent    integer NOT NULL DEFAULT 0 CHECK (archived_sent >= 0),
    -- failed + unknown + expired, as in total_failed
    archived_failed  integer NOT NULL DEFAULT 0 CHECK (archived_failed >= 0),
    archived_skipped integer NOT NULL DEFAULT 0 CHECK (archived_skipped >= 0),
    PRIMARY KEY (schedule_kind, schedule_id)
);

-- The purge walks closed history rows oldest first, a batch at a time.
CREATE INDEX recurring_message_logs_completed_at_idx ON recurring_message_logs (completed_at);
CREATE INDEX auto_post_logs_completed_at_idx ON auto_post_logs (completed_at);
