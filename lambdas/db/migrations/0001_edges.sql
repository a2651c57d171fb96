-- Up Migration
-- Every edge the hot path computed, with its decision outcome. Written by the edge-writer Lambda from
-- the edges queue (hotpath/persistence/edgeBatchCodec.ts is the message contract).
--
-- Natural key: (boot_id, edge_id) — edge ids are monotonic per hot-path process only, boot_id is a random
-- UUID per process start. The primary key leads with recorded_at because a partitioned table's unique
-- keys must contain the partition key; a redelivered message carries the same recorded_at, so
-- ON CONFLICT DO NOTHING on this key deduplicates exactly like (boot_id, edge_id) would.
--
-- Partitioned by range of recorded_at so old months can be detached/dropped without a vacuum storm.
-- Only the DEFAULT partition exists now; monthly partitions are to be created ahead of time by an
-- operations job (not built yet) — attach them before rows for that month arrive.
CREATE TABLE edges (
  recorded_at            timestamptz NOT NULL,
  boot_id                uuid        NOT NULL,
  edge_id                bigint      NOT NULL CHECK (edge_id > 0),
  coin                   text        NOT NULL,
  direction              text        NOT NULL CHECK (direction IN ('perpRich', 'spotRich')),
  status                 text        NOT NULL
    CHECK (status IN ('ok', 'emptyBook', 'crossedBook', 'noSize', 'overflow')),
  outcome                text        NOT NULL CHECK (outcome IN ('traded', 'skipped')),
  skip_reason            text
    CHECK (skip_reason IN ('belowThreshold', 'stale', 'riskLimit', 'insufficientBalance', 'paused',
                           'notComputable', 'orderInFlight')),
  -- Lineage to intents by natural key, not FK: edges and intents travel on different queues (standard
  -- vs FIFO) and either may land first.
  intent_id              text,
  gross_bps              numeric,
  net_bps                numeric,
  entry_fee_bps          numeric,
  exit_fee_bps           numeric,
  funding_bps            numeric,
  clip_limit             text        NOT NULL,
  perp_size              numeric     NOT NULL,
  spot_size              numeric     NOT NULL,
  hedged_size            numeric     NOT NULL,
  perp_vwap              numeric,
  spot_vwap              numeric,
  perp_notional          numeric     NOT NULL,
  spot_notional          numeric     NOT NULL,
  perp_exchange_time     timestamptz NOT NULL,
  perp_received_at       timestamptz NOT NULL,
  spot_exchange_time     timestamptz NOT NULL,
  spot_received_at       timestamptz NOT NULL,
  perp_taker_fee_rate    numeric     NOT NULL,
  spot_taker_fee_rate    numeric     NOT NULL,
  funding_rate_per_hour  numeric,
  inserted_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT edges_outcome_consistent CHECK (
    (outcome = 'traded' AND intent_id IS NOT NULL AND skip_reason IS NULL)
    OR (outcome = 'skipped' AND skip_reason IS NOT NULL AND intent_id IS NULL)
  ),
  PRIMARY KEY (recorded_at, boot_id, edge_id)
) PARTITION BY RANGE (recorded_at);

CREATE TABLE edges_default PARTITION OF edges DEFAULT;

-- Time-range scans: the primary key already leads with recorded_at; per-coin ranges need this one.
CREATE INDEX edges_coin_recorded_at_idx ON edges (coin, recorded_at);
-- Traded edges → their intent (few rows, so a partial index).
CREATE INDEX edges_intent_id_idx ON edges (intent_id) WHERE intent_id IS NOT NULL;

-- Down Migration
DROP TABLE edges;
