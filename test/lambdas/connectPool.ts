/**
 * A `pg` Pool that has been seen to work: retries the first query for a few seconds.
 *
 * Why: PGlite's socket server (the engine without a PostgreSQL install) takes one connection at a time
 * and notices a closed one a moment late, so a pool opened right after another client (the migrations)
 * can be refused with "Too many connections" / "Connection terminated unexpectedly".
 */

import { setTimeout as sleep } from "node:timers/promises";

import pg from "pg";

export async function connectPool(config: pg.PoolConfig, attempts = 50): Promise<pg.Pool> {
  const pool = new pg.Pool(config);
  // Idle connections cut by an outage test or by PGlite: the pool drops them and opens new ones.
  pool.on("error", () => undefined);
  for (let attempt = 1; ; attempt += 1) {
    try {
      await pool.query("SELECT 1");
      return pool;
    } catch (error) {
      if (attempt >= attempts) {
        await pool.end();
        throw error;
      }
      await sleep(100);
    }
  }
}
