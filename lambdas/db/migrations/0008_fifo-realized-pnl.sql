-- Up Migration
-- PnL by the bot's own rule (hotpath/execution/tradeLedger.ts), so that the PnL in Postgres equals the bot's
-- to the last digit. 0003 took a position's trading cash flow (sells − buys) for its realized PnL. That holds
-- only when both legs end exactly flat, which they do not: a spot buy pays its fee in the base token, so the
-- account receives less than the fill's size, and the closing sell is the net amount truncated to the lot.
-- The cash flow then charged the base units a fee took (and the dust left) at their buy price on perp-rich
-- positions, and nothing on spot-rich ones — while reporting spot_fee_base "beside" the net.
--
-- The valuation rule, here and in the ledger:
-- * realized price PnL, USDC, per leg (coin, market), first in first out over the fills' own sizes in trade-id
--   order: the k-th unit sold is matched with the k-th unit bought, whichever came first, and realizes
--   (sell px − buy px); the pair's PnL belongs to the later fill (the one that reduced the holding);
-- * fees in their own token: USDC fees (perps, spot sells) are subtracted; base-token fees (spot buys, HYPE
--   on @107) are never converted at a price: they are reported apart as spot_fee_base, in base units. The
--   base units a fee took stay in the leg's FIFO holding at their buy price, like any unit not yet sold;
-- * funding, USDC (received +, paid −);
-- * net_pnl_usdc = realized − USDC fees + funding (the ledger's `netUsdc`).
-- Units still held are not marked: unrealized PnL is position_snapshots' business.

-- Every matched pair of units (one unit range of a buy against one of a sell, same leg). The ranges are the
-- running sums of each side's sizes in trade-id order. A join on overlapping ranges: fine for the fills of
-- months of trading; pnl_total below needs none of it.
CREATE VIEW fill_fifo_matches AS
WITH units AS (
  SELECT tid, coin, market, side, px, size,
         sum(size) OVER (PARTITION BY coin, market, side ORDER BY tid ROWS UNBOUNDED PRECEDING) AS upto
  FROM fills
)
SELECT
  b.coin,
  b.market,
  b.tid AS buy_tid,
  s.tid AS sell_tid,
  least(b.upto, s.upto) - greatest(b.upto - b.size, s.upto - s.size) AS size,
  (least(b.upto, s.upto) - greatest(b.upto - b.size, s.upto - s.size)) * (s.px - b.px) AS realized_usdc,
  greatest(b.tid, s.tid) AS realized_by_tid
FROM units b
JOIN units s
  ON s.coin = b.coin AND s.market = b.market AND b.side = 'buy' AND s.side = 'sell'
 AND b.upto - b.size < s.upto AND s.upto - s.size < b.upto;

-- Realized price PnL per fill (0 for a fill that only added to the holding).
CREATE VIEW fill_realized AS
SELECT f.tid, coalesce(sum(m.realized_usdc), 0) AS realized_usdc
FROM fills f
LEFT JOIN fill_fifo_matches m ON m.realized_by_tid = f.tid
GROUP BY f.tid;

-- 0003's columns, same names and order (readers keep working); net_pnl_usdc now by the rule above, and the
-- realized PnL per leg added at the end.
CREATE OR REPLACE VIEW pnl_per_position AS
WITH legs AS (
  SELECT
    l.position_id,
    min(l.coin) FILTER (WHERE l.market = 'perp') AS perp_coin,
    min(l.coin) FILTER (WHERE l.market = 'spot') AS spot_coin,
    min(l.filled_at) AS opened_at,
    max(l.filled_at) FILTER (WHERE l.action = 'close') AS closed_at,
    coalesce(sum(CASE WHEN l.side = 'sell' THEN l.px * l.size ELSE -l.px * l.size END)
             FILTER (WHERE l.market = 'perp'), 0) AS perp_cash_usdc,
    coalesce(sum(CASE WHEN l.side = 'sell' THEN l.px * l.size ELSE -l.px * l.size END)
             FILTER (WHERE l.market = 'spot'), 0) AS spot_cash_usdc,
    coalesce(sum(l.fee) FILTER (WHERE l.market = 'perp' AND l.fee_token = 'USDC'), 0) AS perp_fee_usdc,
    coalesce(sum(l.fee) FILTER (WHERE l.market = 'spot' AND l.fee_token = 'USDC'), 0) AS spot_fee_usdc,
    coalesce(sum(l.fee) FILTER (WHERE l.market = 'spot' AND l.fee_token <> 'USDC'), 0) AS spot_fee_base,
    coalesce(sum(r.realized_usdc) FILTER (WHERE l.market = 'perp'), 0) AS realized_perp_usdc,
    coalesce(sum(r.realized_usdc) FILTER (WHERE l.market = 'spot'), 0) AS realized_spot_usdc
  FROM fill_lineage l
  JOIN fill_realized r USING (tid)
  WHERE l.position_id IS NOT NULL
  GROUP BY l.position_id
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
  l.realized_perp_usdc + l.realized_spot_usdc - l.perp_fee_usdc - l.spot_fee_usdc
    + coalesce(f.funding_usdc, 0) AS net_pnl_usdc,
  l.realized_perp_usdc,
  l.realized_spot_usdc
FROM legs l
LEFT JOIN fund f USING (position_id);

-- Per UTC day and coin: the realized price PnL of that day's fills (each pair on the day of the fill that
-- realized it), that day's fees and funding; net_pnl_usdc added at the end.
CREATE OR REPLACE VIEW pnl_per_day AS
WITH parts AS (
  SELECT (f.filled_at AT TIME ZONE 'UTC')::date AS day, f.coin,
         r.realized_usdc AS realized_pnl_usdc,
         CASE WHEN f.market = 'perp' AND f.fee_token = 'USDC' THEN f.fee ELSE 0 END AS perp_fee_usdc,
         CASE WHEN f.market = 'spot' AND f.fee_token = 'USDC' THEN f.fee ELSE 0 END AS spot_fee_usdc,
         CASE WHEN f.market = 'spot' AND f.fee_token <> 'USDC' THEN f.fee ELSE 0 END AS spot_fee_base,
         0::numeric AS funding_usdc
  FROM fills f
  JOIN fill_realized r USING (tid)
  UNION ALL
  SELECT (paid_at AT TIME ZONE 'UTC')::date, coin, 0, 0, 0, 0, usdc
  FROM funding
)
SELECT day, coin,
       sum(realized_pnl_usdc) AS realized_pnl_usdc,
       sum(perp_fee_usdc) AS perp_fee_usdc,
       sum(spot_fee_usdc) AS spot_fee_usdc,
       sum(spot_fee_base) AS spot_fee_base,
       sum(funding_usdc) AS funding_usdc,
       sum(realized_pnl_usdc) - sum(perp_fee_usdc) - sum(spot_fee_usdc) + sum(funding_usdc) AS net_pnl_usdc
FROM parts
GROUP BY day, coin;

-- Per coin, everything: the bot's `pnl().total`. Computed without pairing fills: the first M units sold are
-- matched with the first M bought (M = the smaller of the two totals), so a leg's realized PnL is the value
-- of the first M units sold minus that of the first M bought — one pass of running sums, an independent
-- check of the pairwise views above.
CREATE VIEW pnl_total AS
WITH units AS (
  SELECT coin, market, side, px, size, fee, fee_token,
         sum(size) OVER (PARTITION BY coin, market, side ORDER BY tid ROWS UNBOUNDED PRECEDING) AS upto,
         sum(size) FILTER (WHERE side = 'buy') OVER (PARTITION BY coin, market) AS bought,
         sum(size) FILTER (WHERE side = 'sell') OVER (PARTITION BY coin, market) AS sold
  FROM fills
),
matched AS (
  SELECT coin, market, side, px, fee, fee_token,
         greatest(0, least(size, least(coalesce(bought, 0), coalesce(sold, 0)) - (upto - size))) AS matched
  FROM units
),
trades AS (
  SELECT coin,
         coalesce(sum(CASE WHEN side = 'sell' THEN px * matched ELSE -px * matched END)
                  FILTER (WHERE market = 'perp'), 0) AS realized_perp_usdc,
         coalesce(sum(CASE WHEN side = 'sell' THEN px * matched ELSE -px * matched END)
                  FILTER (WHERE market = 'spot'), 0) AS realized_spot_usdc,
         coalesce(sum(fee) FILTER (WHERE market = 'perp' AND fee_token = 'USDC'), 0) AS perp_fee_usdc,
         coalesce(sum(fee) FILTER (WHERE market = 'spot' AND fee_token = 'USDC'), 0) AS spot_fee_usdc,
         coalesce(sum(fee) FILTER (WHERE market = 'spot' AND fee_token <> 'USDC'), 0) AS spot_fee_base,
         count(*) AS fills
  FROM matched
  GROUP BY coin
),
fund AS (
  SELECT coin, sum(usdc) AS funding_usdc, count(*) AS funding_payments
  FROM funding
  GROUP BY coin
)
SELECT
  coalesce(t.coin, f.coin) AS coin,
  coalesce(t.realized_perp_usdc, 0) AS realized_perp_usdc,
  coalesce(t.realized_spot_usdc, 0) AS realized_spot_usdc,
  coalesce(t.perp_fee_usdc, 0) AS perp_fee_usdc,
  coalesce(t.spot_fee_usdc, 0) AS spot_fee_usdc,
  coalesce(t.spot_fee_base, 0) AS spot_fee_base,
  coalesce(f.funding_usdc, 0) AS funding_usdc,
  coalesce(t.realized_perp_usdc, 0) + coalesce(t.realized_spot_usdc, 0) - coalesce(t.perp_fee_usdc, 0)
    - coalesce(t.spot_fee_usdc, 0) + coalesce(f.funding_usdc, 0) AS net_pnl_usdc,
  coalesce(t.fills, 0) AS fills,
  coalesce(f.funding_payments, 0) AS funding_payments
FROM trades t
FULL JOIN fund f ON f.coin = t.coin;

-- Down Migration
DROP VIEW pnl_total;
DROP VIEW pnl_per_day;
DROP VIEW pnl_per_position;
DROP VIEW fill_realized;
DROP VIEW fill_fifo_matches;

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
  l.perp_cash_usdc + l.spot_cash_usdc - l.perp_fee_usdc - l.spot_fee_usdc
    + coalesce(f.funding_usdc, 0) AS net_pnl_usdc
FROM legs l
LEFT JOIN fund f USING (position_id);

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
