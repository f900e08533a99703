-- The operator console (issue 20, ADR 0023). It reads what Herald already keeps; these two tables
-- are the only rows it writes.

-- Every change made from the console, with who made it: a login name from the tokens file (or a
-- client certificate's CN), never a token. Append-only; the console lists the newest.
CREATE TABLE console_audit (
    id        bigserial   PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    principal text        NOT NULL,
    action    text        NOT NULL,
    target    text        NOT NULL,
    detail    text
);
CREATE INDEX console_audit_at_idx ON console_audit (at DESC);

-- One row per dead letter replayed, inserted in the same transaction that produces it (before the
-- send): the primary key makes a second replay of the same record, from a double POST or a second
-- console, find the row and produce nothing.
CREATE TABLE dead_letter_replays (
    dlq_topic     text        NOT NULL,
    dlq_partition int         NOT NULL,
    dlq_offset    bigint      NOT NULL,
    replayed_at   timestamptz NOT NULL DEFAULT now(),
    principal     text        NOT NULL,
    PRIMARY KEY (dlq_topic, dlq_partition, dlq_offset)
);
