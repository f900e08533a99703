-- A device row the sender cannot use (its transport_config names a variable outside the token
-- namespace, a base URL outside the operator's allowlist, is malformed or too large; ADR 0014) is
-- marked status 'invalid' with the reason here, where the tenant sees it. The sender lifts its own
-- mark (back to 'active', last_error cleared) once the row is fixed.
ALTER TABLE devices ADD COLUMN last_error text;
