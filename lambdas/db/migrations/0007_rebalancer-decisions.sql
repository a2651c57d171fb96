-- Up Migration
-- The rebalancer's full decision record (lambdas/rebalancer/, lambdas/README.md "rebalancer").
--
-- A tick's row is inserted (status 'claimed') BEFORE anything is read or sent: tick_id is the primary key,
-- so a second delivery of the same tick inserts nothing and does nothing. The row then records what the
-- exchange reported (inputs), the decision (plan, target), the nonce committed before the transfer went
-- out ('sending'), and the result with the exchange's response.
--
-- spot_usdc / perp_usdc become nullable: a claimed tick whose account read failed saw no balances, and a
-- zero there would be a lie.
ALTER TABLE rebalances
  ALTER COLUMN spot_usdc DROP NOT NULL,
  ALTER COLUMN perp_usdc DROP NOT NULL,
  ADD COLUMN account_address text,
  ADD COLUMN account_mode text,
  -- The account as read: mode, perp summary and positions, every spot balance (exchange strings).
  ADD COLUMN inputs jsonb,
  -- The plan: action, amount, reason and note, target and bands, or the shared-collateral budget.
  ADD COLUMN plan jsonb,
  ADD COLUMN target_perp_usdc numeric,
  ADD COLUMN target_spot_usdc numeric,
  -- Written (and committed) before the transfer is sent; next nonce = max(now, highest of the signer + 1).
  ADD COLUMN transfer_nonce bigint,
  ADD COLUMN exchange_response jsonb,
  ADD COLUMN error text,
  ADD COLUMN finished_at timestamptz,
  ADD CONSTRAINT rebalances_status_check CHECK (
    status IN ('claimed', 'sending', 'noAction', 'transferred', 'rejected', 'unknown', 'failed', 'skipped')
  );
CREATE UNIQUE INDEX rebalances_account_nonce_key ON rebalances (account_address, transfer_nonce)
  WHERE transfer_nonce IS NOT NULL;
-- Ticks still running: a new tick skips while one of these is younger than the in-flight window.
CREATE INDEX rebalances_open_idx ON rebalances (started_at) WHERE status IN ('claimed', 'sending');

-- Down Migration
DROP INDEX rebalances_open_idx;
DROP INDEX rebalances_account_nonce_key;
UPDATE rebalances SET spot_usdc = 0 WHERE spot_usdc IS NULL;
UPDATE rebalances SET perp_usdc = 0 WHERE perp_usdc IS NULL;
ALTER TABLE rebalances
  DROP CONSTRAINT rebalances_status_check,
  DROP COLUMN finished_at,
  DROP COLUMN error,
  DROP COLUMN exchange_response,
  DROP COLUMN transfer_nonce,
  DROP COLUMN target_spot_usdc,
  DROP COLUMN target_perp_usdc,
  DROP COLUMN plan,
  DROP COLUMN inputs,
  DROP COLUMN account_mode,
  DROP COLUMN account_address,
  ALTER COLUMN perp_usdc SET NOT NULL,
  ALTER COLUMN spot_usdc SET NOT NULL;
