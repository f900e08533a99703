-- Herald schema, version 2: ordering of the scheduler's write-back.
--
-- The scheduler's projector writes decisions from three topics (schedule-states, occurrences,
-- schedule-errors) whose relative order is not guaranteed, and it replays a batch after a crash.
-- It applies a decision only when it is not older than the one already on the row, ordered by
-- (execution_count, scheduler_state_at). Only the projector writes this column, and CDC treats it
-- as a state column (an update that touches only state columns is not a definition change).
ALTER TABLE recurring_messages  ADD COLUMN scheduler_state_at timestamptz;
ALTER TABLE auto_post_schedules ADD COLUMN scheduler_state_at timestamptz;
ALTER TABLE broadcasts          ADD COLUMN scheduler_state_at timestamptz;
