-- Sending policies (issue 19): per-contact frequency caps across every schedule of a tenant.

-- A tenant's policies, written by the tenant's app. frequency_caps is a JSON array of caps, each
-- "at most max sends to one contact per hours":  [{"max": 3, "hours": 24}, {"max": 1, "hours": 6}]
-- Null or [] is no cap. Herald writes last_error when the row cannot be used (and then applies no
-- cap from it), and clears it once the row is fixed.
CREATE TABLE tenant_policies (
    user_id        uuid        PRIMARY KEY,
    frequency_caps jsonb,
    last_error     text,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Sends a tenant's frequency caps counted: one row per command admitted past the caps (a retry of
-- the same command counts once). Rows older than the longest cap are dead and purged.
CREATE TABLE contact_sends (
    command_id text        PRIMARY KEY,
    user_id    uuid        NOT NULL,
    recipient  text        NOT NULL,
    sent_at    timestamptz NOT NULL
);
CREATE INDEX contact_sends_recipient_idx ON contact_sends (user_id, recipient, sent_at);
