-- Quiet hours in the recipient's own time (issue 19): a daily window, per tenant, overridable per
-- definition. A window that starts after it ends spans midnight (21:00-08:00); equal times mean
-- none. A send that falls inside is deferred to the window's end in the recipient's zone.
ALTER TABLE tenant_policies
    ADD COLUMN quiet_hours_start time,
    ADD COLUMN quiet_hours_end   time;
ALTER TABLE recurring_messages
    ADD COLUMN quiet_hours_start time,
    ADD COLUMN quiet_hours_end   time;
ALTER TABLE broadcasts
    ADD COLUMN quiet_hours_start time,
    ADD COLUMN quiet_hours_end   time;
ALTER TABLE auto_post_schedules
    ADD COLUMN quiet_hours_start time,
    ADD COLUMN quiet_hours_end   time;
