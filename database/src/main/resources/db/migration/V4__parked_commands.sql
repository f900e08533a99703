-- Commands a sender lane keeps out of memory (ADR 0014): over its device's read-ahead, or while
-- its device is held (paused). Parking releases the record's offset, so one device's backlog never
-- holds back its partition; the lane loads them back in source order when it has room.
--  * Rows belong to the consumer group that parked them (its partitions and offsets): another
--    sender deployment reading the same topic under another group never loads them.
--  * (consumer_group, command_id) is the key: a record read again after a crash parks nothing new.
--  * (device_id, source_partition, schedule_key, source_offset) is the order a lane loads in.
--  * A row stays until the command's outcome is recorded: a crash between loading and finishing
--    loads it again, and the ledger's claim stops a second send.
CREATE TABLE parked_commands (
    consumer_group   text        NOT NULL,
    command_id       text        NOT NULL,
    device_id        text        NOT NULL,
    source_partition int         NOT NULL,
    schedule_key     text        NOT NULL,
    source_offset    bigint      NOT NULL,
    command          bytea       NOT NULL,
    parked_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, command_id)
);
CREATE INDEX parked_commands_lane_idx
    ON parked_commands (consumer_group, device_id, source_partition, schedule_key, source_offset);
CREATE INDEX parked_commands_partition_idx ON parked_commands (consumer_group, source_partition);
