-- Up Migration
-- Drops the (coin, recorded_at) index on edges: maintaining it costs the edge-writer's bulk load a fifth to
-- a third of its throughput (binary COPY of 200 000 edges into PostgreSQL 15, the two interleaved in one
-- run: median 193 889 rows/s without it, 150 391 with it; under heavier load 96 637 against 61 488 —
-- `npx tsx test/bench/edge-writer.bench.ts --index-cost`, docs/benchmarks.md "Persistence: edge-writer").
--
-- What it served is still served: time-range scans use the primary key, which leads with recorded_at; a
-- per-coin time range is that scan plus a filter on coin, and the system trades a handful of coins, so
-- the filter discards at most a few rows per row kept. The partial index on intent_id stays (traded edges
-- are rare, so it is small and cheap to maintain).
DROP INDEX edges_coin_recorded_at_idx;

-- Down Migration
CREATE INDEX edges_coin_recorded_at_idx ON edges (coin, recorded_at);
