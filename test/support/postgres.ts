/**
 * A real Postgres engine for tests and the offline demo, whichever this machine can offer.
 *
 * Order of preference (first that applies wins):
 *   1. `DATABASE_URL` is set: use that server; each caller gets its own throwaway database in it.
 *   2. PostgreSQL server binaries are installed (`initdb`/`pg_ctl`, e.g. Debian's postgresql-15): start a
 *      throwaway cluster in a temp directory on a free loopback port. This is what CI uses (`.ci/run`
 *      installs the package), because it is the engine production runs (RDS for PostgreSQL).
 *   3. Otherwise embedded PGlite behind `pglite-socket`: real Postgres compiled to WASM, spoken to over the
 *      wire protocol by `pg`, so `npm test` passes on a fresh machine with nothing installed. Its limits
 *      (one session underneath, COPY over the socket unsupported) are in ../../../shared/STACK.md.
 *
 * `HLB_TEST_PG=server|pglite` forces a choice (used by the test that proves the fallback works).
 * Every engine is reached only through a connection string, so code under test never knows which it got.
 */
import { execFile as execFileCb } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const execFile = promisify(execFileCb);

export type PostgresEngine = "external" | "server" | "pglite";

export interface TestPostgres {
  /** Connection string for `pg`. */
  readonly url: string;
  readonly engine: PostgresEngine;
  /** Stops the engine (or drops the database on an external server) and removes temp files. */
  stop(): Promise<void>;
}

export class PostgresUnavailableError extends Error {
  override readonly name = "PostgresUnavailableError";
}

const PG_BIN_ROOT = "/usr/lib/postgresql";

/** Directory holding `initdb` and `pg_ctl` of the newest installed major version, if any. */
export function findPostgresBinaries(): string | undefined {
  if (!existsSync(PG_BIN_ROOT)) return undefined;
  const majors = readdirSync(PG_BIN_ROOT)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(PG_BIN_ROOT, major, "bin");
    if (existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl"))) return bin;
  }
  return undefined;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const forced = process.env["HLB_TEST_PG"];
  const externalUrl = process.env["DATABASE_URL"];
  if (externalUrl && !forced) return useExternalServer(externalUrl);
  if (forced === "pglite") return startPglite();
  const bin = findPostgresBinaries();
  if (bin) return startThrowawayCluster(bin);
  if (forced === "server") {
    throw new PostgresUnavailableError(
      `HLB_TEST_PG=server but no PostgreSQL server binaries under ${PG_BIN_ROOT} (apt-get install -y postgresql)`,
    );
  }
  return startPglite();
}

async function useExternalServer(url: string): Promise<TestPostgres> {
  const database = `hlb_test_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${database}`;
  return {
    url: dbUrl.toString(),
    engine: "external",
    async stop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `initdb` refuses to run as root, so as root the cluster belongs to the `postgres` system user. */
function asClusterOwner(command: string, args: string[]): [string, string[]] {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  return isRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
}

async function run(command: string, args: string[]): Promise<void> {
  const [cmd, argv] = asClusterOwner(command, args);
  try {
    await execFile(cmd, argv, { timeout: 60_000 });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PostgresUnavailableError(`${command} failed: ${detail}`);
  }
}

async function startThrowawayCluster(bin: string): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), "hlb-pg-"));
  await chmod(dir, 0o777);
  const dataDir = join(dir, "data");
  const port = await freePort();
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot) await execFile("chown", ["postgres", dir]);
  await run(join(bin, "initdb"), ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync"]);
  await run(join(bin, "pg_ctl"), [
    "-D",
    dataDir,
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
    "-l",
    join(dir, "server.log"),
    "-w",
    "start",
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    engine: "server",
    async stop() {
      await run(join(bin, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function startPglite(): Promise<TestPostgres> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create();
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1" });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    engine: "pglite",
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
