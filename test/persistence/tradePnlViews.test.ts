/**
 * The PnL views (migration 0008) against the bot's own ledger (`TradeLedger`): random fill sequences — both
 * legs, both sides, holdings that cross zero, spot buys paying their fee in the base token, rebates, funding
 * with and without a position — inserted as rows and applied to the ledger in trade-id order must give the
 * same decimal strings: the total (`pnl_total`, computed without pairing fills), per position
 * (`pnl_per_position`, pairwise) and summed per day (`pnl_per_day`).
 */

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import { TradeLedger } from "../../hotpath/execution/tradeLedger.js";
import { migrateUp } from "../../lambdas/db/migrate.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";
import { seededRandom } from "./edgeFixtures.js";

const BOOT = "5e1f3c1e-8a52-4d55-9a0e-4c1f2d7e9b10";
const POSITIONS = ["pos-a", "pos-b", "pos-c"];

interface RandomFill {
  readonly tid: number;
  readonly market: "perp" | "spot";
  readonly side: "buy" | "sell";
  readonly px: string;
  readonly size: string;
  readonly fee: string;
  readonly feeToken: string;
  readonly positionId: string;
  readonly timeMs: number;
}

interface RandomFunding {
  readonly timeMs: number;
  readonly usdc: string;
  readonly positionId: string | null;
}

function decimal(random: () => number, max: number, decimals: number): string {
  const units = 1 + Math.floor(random() * max * 10 ** decimals);
  const text = String(units).padStart(decimals + 1, "0");
  const whole = text.slice(0, text.length - decimals);
  const fraction = text.slice(text.length - decimals).replace(/0+$/, "");
  return fraction === "" ? whole : `${whole}.${fraction}`;
}

function scenario(seed: number): { fills: RandomFill[]; funding: RandomFunding[] } {
  const random = seededRandom(seed);
  const fills: RandomFill[] = [];
  const funding: RandomFunding[] = [];
  // Spread over three UTC days so pnl_per_day has several rows.
  let timeMs = Date.UTC(2026, 4, 1, 20);
  let tid = 1_000;
  const count = 5 + Math.floor(random() * 40);
  for (let i = 0; i < count; i++) {
    timeMs += 60_000 + Math.floor(random() * 6 * 3_600_000);
    tid += 1 + Math.floor(random() * 3);
    const market = random() < 0.5 ? "perp" : "spot";
    const side = random() < 0.5 ? "buy" : "sell";
    const px = decimal(random, 40, random() < 0.5 ? 3 : 5);
    const size = decimal(random, 5, 2);
    const rebate = random() < 0.1;
    const baseFee = market === "spot" && side === "buy";
    const fee = `${rebate ? "-" : ""}${decimal(random, baseFee ? 0.01 : 0.2, 6)}`;
    fills.push({
      tid,
      market,
      side,
      px,
      size,
      fee,
      feeToken: baseFee ? "HYPE" : "USDC",
      positionId: POSITIONS[Math.floor(random() * POSITIONS.length)]!,
      timeMs,
    });
    if (random() < 0.3) {
      funding.push({
        timeMs: timeMs + 1,
        usdc: `${random() < 0.5 ? "-" : ""}${decimal(random, 1, 6)}`,
        positionId: random() < 0.2 ? null : POSITIONS[Math.floor(random() * POSITIONS.length)]!,
      });
    }
  }
  return { fills, funding };
}

function cloidOf(tid: number): string {
  return `0x${tid.toString(16).padStart(32, "0")}`;
}

async function load(client: pg.Client, fills: readonly RandomFill[], funding: readonly RandomFunding[]) {
  await client.query("TRUNCATE fills, funding, orders, intents");
  for (const [index, positionId] of POSITIONS.entries()) {
    await client.query(
      `INSERT INTO intents (intent_id, boot_id, edge_id, position_id, coin, direction, action, hedged_size,
         status, created_at, updated_at)
       VALUES ($1, $2, $3, $1, 'HYPE', 'perpRich', 'open', '1', 'hedged', now(), now())`,
      [positionId, BOOT, index + 1],
    );
  }
  for (const fill of fills) {
    const cloid = cloidOf(fill.tid);
    await client.query(
      `INSERT INTO orders (cloid, intent_id, oid, coin, market, side, size, limit_px, tif, reduce_only, status,
         created_at, updated_at)
       VALUES ($1, $2, $3, 'HYPE', $4, $5, $6, $7, 'Ioc', false, 'filled', now(), now())`,
      [cloid, fill.positionId, fill.tid, fill.market, fill.side, fill.size, fill.px],
    );
    await client.query(
      `INSERT INTO fills (tid, cloid, oid, coin, market, side, px, size, fee, fee_token, closed_pnl, hash,
         filled_at)
       VALUES ($1, $2, $1, 'HYPE', $3, $4, $5, $6, $7, $8, NULL, NULL, $9)`,
      [
        fill.tid,
        cloid,
        fill.market,
        fill.side,
        fill.px,
        fill.size,
        fill.fee,
        fill.feeToken,
        new Date(fill.timeMs).toISOString(),
      ],
    );
  }
  for (const payment of funding) {
    await client.query(
      `INSERT INTO funding (coin, paid_at, usdc, position_size, funding_rate, position_id)
       VALUES ('HYPE', $1, $2, '-1', '0.00001', $3)`,
      [new Date(payment.timeMs).toISOString(), payment.usdc, payment.positionId],
    );
  }
}

function ledgerOf(fills: readonly RandomFill[], funding: readonly RandomFunding[]): TradeLedger {
  const ledger = new TradeLedger();
  for (const fill of fills) {
    ledger.applyFill({
      coin: "HYPE",
      market: fill.market,
      side: fill.side,
      px: fill.px as WireDecimal,
      size: fill.size as WireDecimal,
      fee: fill.fee as WireDecimal,
      feeToken: fill.feeToken,
      timeMs: fill.timeMs,
      positionId: fill.positionId,
    });
  }
  for (const payment of funding) {
    ledger.applyFunding({
      coin: "HYPE",
      usdc: payment.usdc as WireDecimal,
      timeMs: payment.timeMs,
      positionId: payment.positionId,
    });
  }
  return ledger;
}

describe("PnL views (migration 0008) equal the bot's trade ledger", () => {
  let db: TestPostgres;
  let client: pg.Client;
  beforeAll(async () => {
    db = await startTestPostgres();
    await migrateUp({ databaseUrl: db.url });
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  }, 60_000);
  afterAll(async () => {
    await client?.end();
    await db?.stop();
  });

  it("to the digit, in total, per position and summed per day, over random fill sequences", async () => {
    let realizing = 0;
    for (let seed = 1; seed <= 25; seed++) {
      const { fills, funding } = scenario(seed);
      await load(client, fills, funding);
      const ledger = ledgerOf(fills, funding);
      const total = ledger.snapshot().total;
      const usdcFee = (fees: Readonly<Record<string, string>>): string => fees["USDC"] ?? "0";

      const row = (
        await client.query<Record<string, string>>(
          `SELECT trim_scale(realized_perp_usdc)::text AS realized_perp, trim_scale(realized_spot_usdc)::text
             AS realized_spot, trim_scale(perp_fee_usdc)::text AS perp_fee, trim_scale(spot_fee_usdc)::text
             AS spot_fee, trim_scale(spot_fee_base)::text AS spot_fee_base, trim_scale(funding_usdc)::text
             AS funding, trim_scale(net_pnl_usdc)::text AS net, fills::int AS fills
           FROM pnl_total WHERE coin = 'HYPE'`,
        )
      ).rows[0];
      expect({ seed, ...row }).toEqual({
        seed,
        realized_perp: total.realizedPerpUsdc,
        realized_spot: total.realizedSpotUsdc,
        perp_fee: usdcFee(total.fees.perp),
        spot_fee: usdcFee(total.fees.spot),
        spot_fee_base: total.fees.spot["HYPE"] ?? "0",
        funding: total.fundingUsdc,
        net: total.netUsdc,
        fills: fills.length,
      });

      const positions = await client.query<{ position_id: string; net: string; realized_spot: string }>(
        `SELECT position_id, trim_scale(net_pnl_usdc)::text AS net,
           trim_scale(realized_spot_usdc)::text AS realized_spot
         FROM pnl_per_position ORDER BY position_id`,
      );
      for (const position of positions.rows) {
        const pnl = ledger.positionPnl(position.position_id);
        expect({ seed, ...position }).toEqual({
          seed,
          position_id: position.position_id,
          net: pnl?.netUsdc,
          realized_spot: pnl?.realizedSpotUsdc,
        });
      }

      const daily = await client.query<{ net: string; days: number }>(
        "SELECT trim_scale(sum(net_pnl_usdc))::text AS net, count(*)::int AS days FROM pnl_per_day",
      );
      expect({ seed, net: daily.rows[0]?.net }).toEqual({ seed, net: total.netUsdc });
      if (total.realizedPerpUsdc !== "0" && total.realizedSpotUsdc !== "0") realizing += 1;
    }
    // The scenarios did realize PnL (not all zeros trivially equal).
    expect(realizing).toBeGreaterThan(15);
  }, 120_000);
});
