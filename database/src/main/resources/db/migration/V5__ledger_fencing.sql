-- Fenced ledger (ADR 0017). A claim records its owner: the sender instance and the epoch of the
-- partition it held when it claimed. Starting a call needs the partition's current epoch; every
-- later write of a claimed row (begin, release, finish) needs the row's owner to be the writer, so
-- a sender that lost its partition (a zombie after a rebalance or a long pause) is refused.
ALTER TABLE deliveries
    ADD COLUMN claimed_by  text,
    ADD COLUMN claim_epoch bigint;

-- One row per (consumer group, partition of herald.send-commands): bumped each time a sender is
-- assigned the partition, so the epoch grows monotonically per partition whatever the group
-- protocol does. Claims and attempt begins read it FOR SHARE, so a bump waits for them and no
-- stale claim commits after the new owner's epoch.
CREATE TABLE sender_partition_epochs (
    consumer_group text        NOT NULL,
    partition      int         NOT NULL,
    epoch          bigint      NOT NULL CHECK (epoch > 0),
    owner          text        NOT NULL,
    assigned_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, partition)
);
