-- Up Migration
-- What the bot decided and did, and what the exchange and the rebalancer report.
--
-- Lineage: edge → intent → orders (cloid) → fills (tid).
--   * edges.intent_id / intents.(boot_id, edge_id): natural keys, no FK (different queues, any order).
--   * orders.intent_id → intents: FOREIGN KEY. The trade-writer receives an intent before its orders on
--     the same FIFO message group, so the parent always exists; an orphan order is a bug worth failing on.
--   * fills.cloid → orders.cloid: natural key, no FK. Fills come from the exchange's user-fill stream and
--     reconciliation backfills, which also report fills for orders we did not place through an intent
--     (manual trades, liquidations) or whose order row is still in flight.

-- One trading decision: open or close a hedged position of `hedged_size` on `coin`.
CREATE TABLE intents (
  intent_id     text        PRIMARY KEY,
  boot_id       uuid        NOT NULL,
  edge_id       bigint      NOT NULL,
  position_id   text        NOT NULL,
  coin          text        NOT NULL,
  direction     text        NOT NULL CHECK (direction IN ('perpRich', 'spotRich')),
  action        text        NOT NULL CHECK (action IN ('open', 'close')),
  hedged_size   numeric     NOT NULL CHECK (hedged_size > 0),
  expected_net_bps numeric,
  status        text        NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  UNIQUE (boot_id, edge_id)
);
CREATE INDEX intents_position_id_idx ON intents (position_id);
CREATE INDEX intents_created_at_idx ON intents (created_at);

-- One order leg of an intent. cloid is the 128-bit client order id we send ("0x" + 32 hex digits).
CREATE TABLE orders (
  cloid         text        PRIMARY KEY CHECK (cloid ~ '^0x[0-9a-f]{32}$'),
  intent_id     text        NOT NULL REFERENCES intents (intent_id),
  oid           bigint      UNIQUE,
  coin          text        NOT NULL,
  market        text        NOT NULL CHECK (market IN ('perp', 'spot')),
  side          text        NOT NULL CHECK (side IN ('buy', 'sell')),
  size          numeric     NOT NULL CHECK (size > 0),
  limit_px      numeric     NOT NULL CHECK (limit_px > 0),
  tif           text        NOT NULL,
  reduce_only   boolean     NOT NULL DEFAULT false,
  status        text        NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX orders_intent_id_idx ON orders (intent_id);

-- One execution reported by the exchange; tid is the exchange's trade id. The fee is in its own
-- currency (fee_token): USDC for perps and spot sells, the base token for spot buys.
CREATE TABLE fills (
  tid           bigint      PRIMARY KEY,
  cloid         text,
  oid           bigint      NOT NULL,
  coin          text        NOT NULL,
  market        text        NOT NULL CHECK (market IN ('perp', 'spot')),
  side          text        NOT NULL CHECK (side IN ('buy', 'sell')),
  px            numeric     NOT NULL CHECK (px > 0),
  size          numeric     NOT NULL CHECK (size > 0),
  fee           numeric     NOT NULL,
  fee_token     text        NOT NULL,
  closed_pnl    numeric,
  hash          text,
  filled_at     timestamptz NOT NULL
);
CREATE INDEX fills_cloid_idx ON fills (cloid);
CREATE INDEX fills_filled_at_idx ON fills (filled_at);

-- Hourly funding payments as the exchange reports them (usdc > 0 = received).
CREATE TABLE funding (
  coin          text        NOT NULL,
  paid_at       timestamptz NOT NULL,
  usdc          numeric     NOT NULL,
  position_size numeric     NOT NULL,
  funding_rate  numeric     NOT NULL,
  -- Attributed by the writer to the position open at paid_at; NULL if none of ours was.
  position_id   text,
  PRIMARY KEY (coin, paid_at)
);
CREATE INDEX funding_position_id_idx ON funding (position_id);

-- The 30-second capital manager's ticks; tick_id is unique so a retried tick is written once.
CREATE TABLE rebalances (
  tick_id       text        PRIMARY KEY,
  started_at    timestamptz NOT NULL,
  spot_usdc     numeric     NOT NULL,
  perp_usdc     numeric     NOT NULL,
  action        text        NOT NULL CHECK (action IN ('none', 'spotToPerp', 'perpToSpot')),
  amount_usdc   numeric     NOT NULL DEFAULT 0 CHECK (amount_usdc >= 0),
  status        text        NOT NULL,
  reason        text
);
CREATE INDEX rebalances_started_at_idx ON rebalances (started_at);

-- USDC moves between spot and perp (and deposits/withdrawals), keyed by the exchange's hash/nonce.
CREATE TABLE transfers (
  transfer_id   text        PRIMARY KEY,
  kind          text        NOT NULL
    CHECK (kind IN ('spotToPerp', 'perpToSpot', 'deposit', 'withdrawal')),
  token         text        NOT NULL DEFAULT 'USDC',
  amount        numeric     NOT NULL CHECK (amount > 0),
  tick_id       text        REFERENCES rebalances (tick_id),
  status        text        NOT NULL,
  transferred_at timestamptz NOT NULL
);
CREATE INDEX transfers_transferred_at_idx ON transfers (transferred_at);

-- Periodic view of what we hold, per coin, for reconciliation and unrealized PnL.
CREATE TABLE position_snapshots (
  taken_at       timestamptz NOT NULL,
  coin           text        NOT NULL,
  perp_size      numeric     NOT NULL,
  spot_size      numeric     NOT NULL,
  perp_entry_px  numeric,
  perp_mark_px   numeric,
  spot_mid_px    numeric,
  unrealized_pnl numeric,
  PRIMARY KEY (coin, taken_at)
);

-- Operator actions: pause/resume, limit changes. Append-only audit trail.
CREATE TABLE control_changes (
  change_id     bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  changed_at    timestamptz NOT NULL DEFAULT now(),
  actor         text        NOT NULL,
  control       text        NOT NULL,
  old_value     text,
  new_value     text,
  reason        text
);
CREATE INDEX control_changes_changed_at_idx ON control_changes (changed_at);

-- Down Migration
DROP TABLE control_changes;
DROP TABLE position_snapshots;
DROP TABLE transfers;
DROP TABLE rebalances;
DROP TABLE funding;
DROP TABLE fills;
DROP TABLE orders;
DROP TABLE intents;
