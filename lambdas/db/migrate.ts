/**
 * Applies the versioned SQL migrations in `lambdas/db/migrations/` to a database with node-pg-migrate, and is the
 * `npm run db:migrate` entry point (target: `DATABASE_URL`).
 *
 * node-pg-migrate records applied files in `pgmigrations`, takes an advisory lock so two deploys cannot
 * migrate at once, runs each file in its own transaction and refuses out-of-order files (`checkOrder`),
 * so running it again is a no-op. Migrations live at the repository root, not under one Lambda, because
 * the schema is shared by every writer (edge-writer, trade-writer, rebalancer) and by reporting.
 */

import { fileURLToPath } from "node:url";

import { runner } from "node-pg-migrate";

export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations", import.meta.url));
export const MIGRATIONS_TABLE = "pgmigrations";

export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

export interface MigrateOptions {
  readonly databaseUrl: string;
  /** Receives node-pg-migrate's progress lines; default silent. */
  readonly log?: (message: string) => void;
}

/** Applies every pending migration; returns the names applied (empty when already up to date). */
export async function migrateUp(options: MigrateOptions): Promise<string[]> {
  const log = options.log ?? (() => undefined);
  try {
    const applied = await runner({
      databaseUrl: options.databaseUrl,
      dir: MIGRATIONS_DIR,
      migrationsTable: MIGRATIONS_TABLE,
      direction: "up",
      checkOrder: true,
      log,
      logger: { debug: log, info: log, warn: log, error: log },
    });
    return applied.map((migration) => migration.name);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`migrating ${MIGRATIONS_DIR} failed: ${detail}`, { cause: error });
  }
}

async function main(): Promise<void> {
  const databaseUrl = process.env["DATABASE_URL"];
  if (!databaseUrl) throw new MigrationError("DATABASE_URL is not set (postgres://user@host:port/db)");
  const applied = await migrateUp({ databaseUrl, log: (line) => console.log(line) });
  console.log(applied.length === 0 ? "database is up to date" : `applied: ${applied.join(", ")}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
