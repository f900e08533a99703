-- The WhatsApp Cloud API for real (issue 18, ADR 0021): templates in definitions, the 24-hour
-- customer-service window, delivery statuses from signed webhooks, opt-out by inbound keyword and
-- messaging-limit admission.

-- Templates. template_components is the Cloud API's "components" array, whose text parameters
-- may hold the renderer's variables ({name}, {phone}, contact fields), rendered per recipient:
--   [{"type":"header","parameters":[{"type":"image","image":{"link":"https://..."}}]},
--    {"type":"body","parameters":[{"type":"text","text":"{name}"}]}]
-- window_policy: what to send by the recipient's window, decided at send time:
--   free_text          free text always (outside the window the API refuses it: 131047)
--   fallback_template  free text inside the window, the template outside (default with a template)
--   template_always    the template always
--   skip_outside       free text inside; outside skipped with reason outside_window
-- Null means fallback_template when a template is set, else free_text.
ALTER TABLE recurring_messages
    ADD COLUMN template_name       text,
    ADD COLUMN template_language   text,
    ADD COLUMN template_components jsonb,
    ADD COLUMN window_policy       text;
ALTER TABLE broadcasts
    ADD COLUMN template_name       text,
    ADD COLUMN template_language   text,
    ADD COLUMN template_components jsonb,
    ADD COLUMN window_policy       text;

-- What went out (text or template) and what the provider said afterwards, from its webhooks.
-- provider_status only moves forward: sent < delivered < failed < read (a late failed may follow
-- delivered; read stays read).
ALTER TABLE deliveries
    ADD COLUMN sent_as                text CHECK (sent_as IN ('text', 'template')),
    ADD COLUMN provider_status        text
        CHECK (provider_status IN ('sent', 'delivered', 'read', 'failed')),
    ADD COLUMN provider_status_at     timestamptz,
    ADD COLUMN delivered_at           timestamptz,
    ADD COLUMN read_at                timestamptz,
    ADD COLUMN provider_error_code    text,
    ADD COLUMN provider_error_message text;
CREATE INDEX deliveries_transport_message_id_idx ON deliveries (transport_message_id)
    WHERE transport_message_id IS NOT NULL;

-- Delivered and read per occurrence and per broadcast, counted when a delivery first reaches them.
ALTER TABLE broadcasts
    ADD COLUMN delivered_count integer NOT NULL DEFAULT 0 CHECK (delivered_count >= 0),
    ADD COLUMN read_count      integer NOT NULL DEFAULT 0 CHECK (read_count >= 0);
ALTER TABLE recurring_message_logs
    ADD COLUMN delivered_count integer NOT NULL DEFAULT 0 CHECK (delivered_count >= 0),
    ADD COLUMN read_count      integer NOT NULL DEFAULT 0 CHECK (read_count >= 0);
ALTER TABLE auto_post_logs
    ADD COLUMN delivered_count integer NOT NULL DEFAULT 0 CHECK (delivered_count >= 0),
    ADD COLUMN read_count      integer NOT NULL DEFAULT 0 CHECK (read_count >= 0);

-- The 24-hour window: a contact's last inbound message per device (business number). wa_id is
-- the contact's number in E.164 digits without '+', as the webhooks name it.
CREATE TABLE contact_windows (
    device_id       uuid        NOT NULL,
    wa_id           text        NOT NULL,
    last_inbound_at timestamptz NOT NULL,
    PRIMARY KEY (device_id, wa_id)
);

-- Messaging limit: unique recipients a business number messaged outside their window in the last
-- 24 hours. A recipient counts from first_at for 24 hours; messaged again after that, it counts
-- anew. Rows older than a day are dead and purged.
CREATE TABLE messaging_limit_recipients (
    device_id uuid        NOT NULL,
    recipient text        NOT NULL,
    first_at  timestamptz NOT NULL,
    PRIMARY KEY (device_id, recipient)
);
CREATE INDEX messaging_limit_recipients_first_at_idx ON messaging_limit_recipients (device_id, first_at);

-- Sends held back by admission (the messaging limit), visible with the reason and an estimate;
-- the row goes once the send gets its outcome.
CREATE TABLE deferred_sends (
    command_id  text        PRIMARY KEY,
    user_id     uuid,
    device_id   uuid,
    schedule_kind text,
    schedule_id uuid,
    occurrence_at timestamptz,
    reason      text        NOT NULL,
    detail      text,
    until_at    timestamptz,
    deferred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deferred_sends_device_idx ON deferred_sends (device_id);

-- The number's messaging-limit tier (unique users outside a window per rolling 24 h): null is
-- not enforced. The provider's own word (phone_number_quality_update) lowers it, never raises it
-- above the configured one.
ALTER TABLE devices
    ADD COLUMN messaging_limit          integer CHECK (messaging_limit IS NULL OR messaging_limit >= 0),
    ADD COLUMN messaging_limit_reported integer,
    ADD COLUMN quality_rating           text;
