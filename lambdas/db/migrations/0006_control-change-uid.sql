-- Up Migration
-- A control change carries its own UUID (hotpath/control/controlChange.ts `changeId`), so a redelivered
-- trade-queue message inserts nothing twice: writers use ON CONFLICT (change_uid) DO NOTHING.
ALTER TABLE control_changes ADD COLUMN change_uid uuid UNIQUE;

-- Down Migration
ALTER TABLE control_changes DROP COLUMN change_uid;
