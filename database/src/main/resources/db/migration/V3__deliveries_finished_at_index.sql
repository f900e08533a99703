-- "Sent today" / "failed today" read deliveries by finish time every 30 s.
CREATE INDEX deliveries_finished_at_idx ON deliveries (finished_at);
