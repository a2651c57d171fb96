-- Up Migration
-- Follow-up intents (hotpath/execution/intent.ts): when the two legs of a root intent (open or close) do
-- not fill alike, the executor sends a `hedge` (completes the short leg) or an `unwind` (flattens what
-- filled) that names its root. Closes on max holding time and kill-switch flattens have no edge.

ALTER TABLE intents DROP CONSTRAINT intents_action_check;
ALTER TABLE intents ADD CONSTRAINT intents_action_check
  CHECK (action IN ('open', 'close', 'hedge', 'unwind'));

-- The root a follow-up completes or unwinds; NULL for open/close. Natural key, no FK: the trade queue is
-- FIFO per group, but a redelivered root must never block its follow-up.
ALTER TABLE intents ADD COLUMN parent_intent_id text;
ALTER TABLE intents ADD CONSTRAINT intents_parent_only_for_follow_ups CHECK (
  (action IN ('hedge', 'unwind')) = (parent_intent_id IS NOT NULL)
);
CREATE INDEX intents_parent_intent_id_idx ON intents (parent_intent_id) WHERE parent_intent_id IS NOT NULL;

-- A decision without an edge (max holding time, kill-switch flatten) has no edge id.
ALTER TABLE intents ALTER COLUMN edge_id DROP NOT NULL;
-- One root intent per edge; follow-ups carry their root's edge id.
ALTER TABLE intents DROP CONSTRAINT intents_boot_id_edge_id_key;
CREATE UNIQUE INDEX intents_root_per_edge_idx ON intents (boot_id, edge_id)
  WHERE parent_intent_id IS NULL AND edge_id IS NOT NULL;

-- Order statuses are the state machine's (hotpath/execution/intentState.ts ORDER_STATUSES).
ALTER TABLE orders ADD CONSTRAINT orders_status_check
  CHECK (status IN ('intended', 'sent', 'unknown', 'acked', 'partial', 'filled', 'rejected'));

-- Down Migration
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
DROP INDEX intents_root_per_edge_idx;
ALTER TABLE intents ADD CONSTRAINT intents_boot_id_edge_id_key UNIQUE (boot_id, edge_id);
ALTER TABLE intents ALTER COLUMN edge_id SET NOT NULL;
DROP INDEX intents_parent_intent_id_idx;
ALTER TABLE intents DROP CONSTRAINT intents_parent_only_for_follow_ups;
ALTER TABLE intents DROP COLUMN parent_intent_id;
ALTER TABLE intents DROP CONSTRAINT intents_action_check;
ALTER TABLE intents ADD CONSTRAINT intents_action_check CHECK (action IN ('open', 'close'));
