-- Up Migration
-- PnL views. Cash flows in USDC (quote) are signed: a sell brings +px*size, a buy costs -px*size.
-- Fees stay in their own currency: perp fees and spot-sell fees are USDC, a spot buy's fee is charged in
-- the base token and is reported as spot_fee_base (not converted: no price is guessed here).
-- A position's trading cash flow is realized PnL only once it is closed (both legs flat).

CREATE VIEW fill_lineage AS
SELECT f.*, o.intent_id, i.position_id, i.action
FROM fills f
LEFT JOIN orders o ON o.cloid = f.cloid
LEFT JOIN intents i ON i.intent_id = o.intent_id;

CREATE VIEW pnl_per_position AS
WITH legs AS (
  SELECT
    position_id,
    min(coin) FILTER (WHERE market = 'perp') AS perp_coin,
    min(coin) FILTER (WHERE market = 'spot') AS spot_coin,
    min(filled_at) AS opened_at,
    max(filled_at) FILTER (WHERE action = 'close') AS closed_at,
    coalesce(sum(CASE WHEN side = 'sell' THEN px * size ELSE -px * size END)
             FILTER (WHERE market = 'perp'), 0) AS perp_cash_usdc,
    coalesce(sum(CASE WHEN side = 'sell' THEN px * size ELSE -px * size END)
             FILTER (WHERE market = 'spot'), 0) AS spot_cash_usdc,
    coalesce(sum(fee) FILTER (WHERE market = 'perp'), 0) AS perp_fee_usdc,
    coalesce(sum(fee) FILTER (WHERE market = 'spot' AND fee_token = 'USDC'), 0) AS spot_fee_usdc,
    coalesce(sum(fee) FILTER (WHERE market = 'spot' AND fee_token <> 'USDC'), 0) AS spot_fee_base
  FROM fill_lineage
  WHERE position_id IS NOT NULL
  GROUP BY position_id
),
fund AS (
  SELECT position_id, sum(usdc) AS funding_usdc
  FROM funding
  WHERE position_id IS NOT NULL
  GROUP BY position_id
)
SELECT
  l.position_id,
  l.perp_coin,
  l.spot_coin,
  l.opened_at,
  l.closed_at,
  l.closed_at IS NOT NULL AS closed,
  l.perp_cash_usdc,
  l.spot_cash_usdc,
  l.perp_fee_usdc,
  l.spot_fee_usdc,
  l.spot_fee_base,
  coalesce(f.funding_usdc, 0) AS funding_usdc,
  -- Excludes spot_fee_base (base-token fees), reported beside it.
  l.perp_cash_usdc + l.spot_cash_usdc - l.perp_fee_usdc - l.spot_fee_usdc
    + coalesce(f.funding_usdc, 0) AS net_pnl_usdc
FROM legs l
LEFT JOIN fund f USING (position_id);

-- Per UTC day and perp coin: realized PnL of positions closed that day, and that day's fees and funding.
CREATE VIEW pnl_per_day AS
WITH parts AS (
  SELECT (closed_at AT TIME ZONE 'UTC')::date AS day, perp_coin AS coin,
         net_pnl_usdc AS realized_pnl_usdc, 0::numeric AS perp_fee_usdc, 0::numeric AS spot_fee_usdc,
         0::numeric AS spot_fee_base, 0::numeric AS funding_usdc
  FROM pnl_per_position WHERE closed
  UNION ALL
  SELECT (filled_at AT TIME ZONE 'UTC')::date, coin, 0,
         CASE WHEN market = 'perp' THEN fee ELSE 0 END,
         CASE WHEN market = 'spot' AND fee_token = 'USDC' THEN fee ELSE 0 END,
         CASE WHEN market = 'spot' AND fee_token <> 'USDC' THEN fee ELSE 0 END,
         0
  FROM fills
  UNION ALL
  SELECT (paid_at AT TIME ZONE 'UTC')::date, coin, 0, 0, 0, 0, usdc
  FROM funding
)
SELECT day, coin,
       sum(realized_pnl_usdc) AS realized_pnl_usdc,
       sum(perp_fee_usdc) AS perp_fee_usdc,
       sum(spot_fee_usdc) AS spot_fee_usdc,
       sum(spot_fee_base) AS spot_fee_base,
       sum(funding_usdc) AS funding_usdc
FROM parts
GROUP BY day, coin;

-- Down Migration
DROP VIEW pnl_per_day;
DROP VIEW pnl_per_position;
DROP VIEW fill_lineage;
