-- Herald schema, version 1.
--
-- Design notes (why, not what):
--  * No triggers: every writer sets updated_at itself, so the CDC stream shows exactly what a
--    writer changed and nothing a trigger added behind its back.
--  * No CHECK constraints and no NOT NULL on columns that users fill in (time zones, frequencies,
--    day ranges, targets, device references...). An invalid definition must be stored so that the
--    scheduler can report it as status='invalid' with a readable last_error; a constraint would
--    reject it with a bare SQL error instead. Constraints exist only on columns Herald writes.
--  * No foreign keys between definitions and devices for the same reason: a schedule that names an
--    unknown device, or another tenant's device, is reported by the scheduler, not refused here.
--  * gen_random_uuid() is built into PostgreSQL 13+, so no extension is needed.

CREATE TABLE devices (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid        NOT NULL,
    name             text,
    phone_number     text,
    -- whatsapp_cloud | http_gateway | simulated
    transport        text,
    transport_config jsonb,
    status           text        NOT NULL DEFAULT 'active',
    -- null means "the transport's own default rate"
    max_per_second   numeric,
    paused_reason    text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_user_id_idx ON devices (user_id);

CREATE TABLE contacts (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid,
    phone_number text,
    name         text,
    fields       jsonb,
    opted_out    boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now()
);
-- Not unique: imports may hold duplicates, and the fan-out de-duplicates recipients itself.
CREATE INDEX contacts_user_id_phone_number_idx ON contacts (user_id, phone_number);

CREATE TABLE recurring_messages (
    id                     uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                uuid,
    device_id              uuid,
    name                   text,
    message                text,
    media_url              text,
    -- JSON array of E.164 numbers or contact ids
    target_contacts        jsonb,
    -- rule: daily | weekly | monthly | custom
    frequency              text,
    interval_value         integer     DEFAULT 1,
    -- minutes | hours | days | weeks | months
    interval_unit          text,
    cron_expression        text,
    time_of_day            time,
    days_of_week           integer[],
    day_of_month           integer,
    timezone               text        DEFAULT 'UTC',
    start_date             date,
    end_date               date,
    max_executions         integer,
    catch_up               text        DEFAULT 'fire_once',
    catch_up_grace_seconds integer     DEFAULT 3600,
    is_active              boolean     DEFAULT true,
    -- pacing: auto | manual | adaptive
    delay_type             text        DEFAULT 'auto',
    delay_seconds          integer,
    randomize_delay        boolean     DEFAULT true,
    batch_size             integer,
    pause_between_batches  integer,
    -- state columns below are written by Herald, never by users
    next_send_at           timestamptz,
    last_sent_at           timestamptz,
    execution_count        integer     NOT NULL DEFAULT 0 CHECK (execution_count >= 0),
    total_sent             integer     NOT NULL DEFAULT 0 CHECK (total_sent >= 0),
    total_failed           integer     NOT NULL DEFAULT 0 CHECK (total_failed >= 0),
    status                 text        DEFAULT 'active',
    last_error             text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recurring_messages_user_id_idx ON recurring_messages (user_id);
CREATE INDEX recurring_messages_device_id_idx ON recurring_messages (device_id);

CREATE TABLE recurring_message_logs (
    id                   bigserial   PRIMARY KEY,
    recurring_message_id uuid,
    user_id              uuid,
    occurrence_at        timestamptz,
    execution_time       timestamptz,
    sent_to_count        integer     NOT NULL DEFAULT 0 CHECK (sent_to_count >= 0),
    failed_count         integer     NOT NULL DEFAULT 0 CHECK (failed_count >= 0),
    recipient_count      integer,
    status               text,
    -- a replayed occurrence (after a crash or rebalance) upserts instead of adding a second row
    CONSTRAINT recurring_message_logs_occurrence_uq UNIQUE (recurring_message_id, occurrence_at)
);

CREATE TABLE broadcasts (
    id                    uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id               uuid,
    device_id             uuid,
    name                  text,
    message               text,
    media_url             text,
    target_contacts       jsonb,
    -- null: send now; otherwise once at this instant
    scheduled_at          timestamptz,
    -- draft | scheduled | processing | completed | failed | cancelled
    status                text        DEFAULT 'draft',
    delay_type            text        DEFAULT 'auto',
    delay_seconds         integer,
    randomize_delay       boolean     DEFAULT true,
    batch_size            integer,
    pause_between_batches integer,
    total_count           integer,
    sent_count            integer     NOT NULL DEFAULT 0 CHECK (sent_count >= 0),
    failed_count          integer     NOT NULL DEFAULT 0 CHECK (failed_count >= 0),
    started_at            timestamptz,
    completed_at          timestamptz,
    last_error            text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX broadcasts_user_id_idx ON broadcasts (user_id);
CREATE INDEX broadcasts_status_scheduled_at_idx ON broadcasts (status, scheduled_at);

CREATE TABLE auto_post_schedules (
    id                     uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                uuid,
    device_id              uuid,
    name                   text,
    message                text,
    media_url              text,
    -- JSON array of group ids
    target_groups          jsonb,
    frequency              text,
    interval_value         integer     DEFAULT 1,
    interval_unit          text,
    cron_expression        text,
    time_of_day            time,
    days_of_week           integer[],
    day_of_month           integer,
    timezone               text        DEFAULT 'UTC',
    start_date             date,
    end_date               date,
    max_executions         integer,
    catch_up               text        DEFAULT 'fire_once',
    catch_up_grace_seconds integer     DEFAULT 3600,
    is_active              boolean     DEFAULT true,
    delay_type             text        DEFAULT 'auto',
    delay_seconds          integer,
    randomize_delay        boolean     DEFAULT true,
    batch_size             integer,
    pause_between_batches  integer,
    next_send_at           timestamptz,
    last_sent_at           timestamptz,
    execution_count        integer     NOT NULL DEFAULT 0 CHECK (execution_count >= 0),
    total_sent             integer     NOT NULL DEFAULT 0 CHECK (total_sent >= 0),
    total_failed           integer     NOT NULL DEFAULT 0 CHECK (total_failed >= 0),
    status                 text        DEFAULT 'active',
    last_error             text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auto_post_schedules_user_id_idx ON auto_post_schedules (user_id);
CREATE INDEX auto_post_schedules_device_id_idx ON auto_post_schedules (device_id);

-- The sender's ledger: one row per command id, claimed before the transport is called.
CREATE TABLE deliveries (
    command_id            text        PRIMARY KEY,
    user_id               uuid,
    device_id             uuid,
    schedule_kind         text,
    schedule_id           uuid,
    occurrence_at         timestamptz,
    recipient             text,
    -- only Herald writes this table, so a CHECK catches a sender bug instead of hiding one
    status                text        NOT NULL
        CHECK (status IN ('claimed', 'sent', 'failed', 'unknown', 'skipped', 'expired')),
    attempts              integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    transport_message_id  text,
    error_code            text,
    error_message         text,
    claimed_at            timestamptz,
    finished_at           timestamptz
);
CREATE INDEX deliveries_schedule_occurrence_idx ON deliveries (schedule_id, occurrence_at);
CREATE INDEX deliveries_status_idx ON deliveries (status);

-- The CDC mapper compares old and new values to tell a definition change from a state-only
-- update written back by Herald (no feedback loop); the default identity sends only the key.
ALTER TABLE recurring_messages  REPLICA IDENTITY FULL;
ALTER TABLE broadcasts          REPLICA IDENTITY FULL;
ALTER TABLE auto_post_schedules REPLICA IDENTITY FULL;
ALTER TABLE devices             REPLICA IDENTITY FULL;
ALTER TABLE contacts            REPLICA IDENTITY FULL;

-- Created here rather than by Debezium so that the service's database user needs no ownership
-- or superuser rights (use publication.autocreate.mode=disabled).
CREATE PUBLICATION herald_publication
    FOR TABLE recurring_messages, broadcasts, auto_post_schedules, devices, contacts;
