/**
 * Crash safety of the intent journal.
 * - Kill mid-write, simulated exhaustively: the file cut at every byte offset of every record recovers to
 *   exactly the state after the last complete record (plus a torn-tail warning), never anything else.
 * - Kill -9 of a real writer process mid-stream, in both modes: every cloid that reached the "wire" is in
 *   the journal, and every order not known to be finished comes back as unknown (to probe).
 * - A crash after reserving cloids and before their intent record: those cloids are reported as possibly
 *   sent, block new risk, and stop counting once released.
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { afterEach, describe, expect, it } from "vitest";

import { isFinal } from "../../hotpath/execution/intentState.js";
import {
  decodeLine,
  type JournalMode,
  type JournalRecovery,
  listSegments,
  recoverJournal,
  segmentPath,
} from "../../hotpath/execution/journal/index.js";
import { T0 } from "./intentState.fixtures.js";
import {
  closeJournals,
  content,
  openJournal,
  removeTempDirs,
  runScenario,
  tempDir,
  CHILD_BOOT_ID,
} from "./journal.fixtures.js";

afterEach(() => {
  closeJournals();
  removeTempDirs();
});

const MODES: readonly JournalMode[] = ["fsyncBeforeSend", "reserveAhead"];
const RECOVER_AT = { nowMs: () => T0 + 20_000 };

describe("kill mid-write: the file cut at every byte offset", () => {
  for (const mode of MODES) {
    it(`recovers the state after the last complete record, never another (${mode})`, () => {
      const dir = tempDir();
      const { journal } = openJournal(dir, { mode });
      const boundaries: { bytes: number; expected: ReturnType<typeof content>; json: string }[] = [];
      const capture = (): void => {
        const expected = content(recoverJournal(dir, RECOVER_AT));
        boundaries.push({ bytes: journal.stats.bytes, expected, json: JSON.stringify(expected) });
      };
      capture();
      runScenario(journal, capture);
      const file = readFileSync(journal.file);
      expect(boundaries.at(-1)?.bytes).toBe(file.length);
      // Every record the scenario appended has its own boundary (no hidden record in between).
      const firstBytes = boundaries[0]?.bytes ?? 0;
      expect(boundaries.length - 1).toBe(countBefore(file, file.length) - countBefore(file, firstBytes));

      const cutDir = tempDir();
      const cutFile = segmentPath(cutDir, 1);
      let checked = 0;
      // Longest first, cutting one byte at a time: rewriting the file per length would make ext4 flush it
      // every time (its replace-by-truncate heuristic) and take minutes.
      writeFileSync(cutFile, file);
      let boundary = boundaries.length - 1;
      for (let length = file.length; length >= firstBytes; length--) {
        while ((boundaries[boundary]?.bytes ?? -1) > length) boundary -= 1;
        const last = boundaries[boundary];
        if (last === undefined) throw new Error("no boundary");
        truncateSync(cutFile, length);
        const recovery = recoverJournal(cutDir, RECOVER_AT);
        const torn = recovery.warnings[0];
        if (length === last.bytes) {
          expect(content(recovery)).toEqual(last.expected);
          expect(recovery.warnings).toEqual([]);
        } else {
          // Thousands of offsets: compare serialised (exact for these JSON-shaped states), then the warning.
          if (JSON.stringify(content(recovery)) !== last.json)
            expect(content(recovery)).toEqual(last.expected);
          expect(recovery.warnings).toHaveLength(1);
          expect([torn?.kind, torn?.offset, torn?.bytes]).toEqual([
            "tornTail",
            last.bytes,
            length - last.bytes,
          ]);
        }
        checked += 1;
      }
      expect(checked).toBeGreaterThan(5000);
    }, 180_000);
  }
});

/** Complete lines before `offset`. */
function countBefore(file: Buffer, offset: number): number {
  return file.subarray(0, offset).toString("utf8").split("\n").length - 1;
}

describe("kill -9 of a real writer process", () => {
  for (const mode of MODES) {
    it(`leaves nothing on the wire that the journal does not know, and every unfinished order unknown (${mode})`, async () => {
      const dir = tempDir();
      const wire = join(tempDir(), "wire.log");
      writeFileSync(wire, "");
      const child = startWriter(mode, dir, wire);
      await waitForLines(wire, 150, child);
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));

      const wireCloids = readFileSync(wire, "utf8")
        .split("\n")
        .slice(0, -1) // a line cut by the kill is only a partial send of the simulated exchange
        .flatMap((line) => line.split(" "));
      expect(wireCloids.length).toBeGreaterThanOrEqual(300);

      const journaled = journaledCloids(dir);
      const missing = wireCloids.filter((cloid) => !journaled.has(cloid));
      expect(missing).toEqual([]);

      const recovery = recoverJournal(dir, RECOVER_AT);
      expectEveryUnfinishedOrderUnknown(recovery);
      // A restart takes over the dead writer's lock and finds the same.
      const reopened = openJournal(dir, { mode, nowMs: RECOVER_AT.nowMs });
      expect(content(reopened.recovery)).toEqual(content(recovery));
      expect(reopened.journal.hasUnknownOutcome()).toBe(
        recovery.unknownOrders.length + recovery.possiblySent.length > 0,
      );
    });
  }
});

describe("crash after reserving cloids, before their intent record", () => {
  it("reports the reserved cloids as possibly sent and blocks new risk until they are released", () => {
    const dir = tempDir();
    const crashed = runAndCrashAfterReserve(dir);
    expect(crashed.signal).toBe("SIGKILL");
    const { used, taken } = JSON.parse(crashed.stdout.trim()) as { used: string[]; taken: string };

    const clock = { ms: T0 + 30_000 };
    const first = openJournal(dir, {
      mode: "reserveAhead",
      nowMs: () => clock.ms,
      cloidPrefix: "00000000000000bb",
    });
    const possiblySent = first.recovery.possiblySent.map((entry) => entry.cloid);
    expect(possiblySent).toContain(taken);
    expect(possiblySent).toHaveLength(2); // block of 4: 2 used by the intent, the taken one, one never handed out
    expect(first.recovery.possiblySent[0]?.expiresBeforeMs).toBe(T0 + 30_000 + 10_000);
    expect(first.recovery.unknownOrders.map((order) => order.cloid)).toEqual(used);
    expect(first.journal.hasUnknownOutcome()).toBe(true);

    // The reconciler probed them after they expired and found nothing: released.
    first.journal.releaseCloids(
      first.recovery.possiblySent.map((entry) => entry.cloid),
      "probe: unknownOid after expiry",
    );
    for (const cloid of used) {
      first.journal.appendOrderEvent(cloid as never, {
        type: "probed",
        atMs: T0 + 45_000,
        result: { found: false },
      });
    }
    expect(first.journal.hasUnknownOutcome()).toBe(false);
    first.journal.close();
    const second = openJournal(dir, {
      mode: "reserveAhead",
      nowMs: () => clock.ms,
      cloidPrefix: "00000000000000cc",
    });
    expect(second.recovery.possiblySent).toEqual([]);
    expect(second.recovery.unknownOrders).toEqual([]);
    expect(second.journal.hasUnknownOutcome()).toBe(false);
  });
});

function expectEveryUnfinishedOrderUnknown(recovery: JournalRecovery): void {
  const unknown = new Set(recovery.unknownOrders.map((order) => order.cloid));
  for (const state of recovery.openIntents) {
    for (const order of state.orders) {
      if (!isFinal(order)) {
        expect(order.status).toBe("unknown");
        expect(unknown.has(order.cloid)).toBe(true);
      }
    }
  }
}

/** Every cloid of every intent record in every segment (the writer keeps all of them). */
function journaledCloids(dir: string): Set<string> {
  const cloids = new Set<string>();
  for (const segment of listSegments(dir)) {
    const text = readFileSync(segmentPath(dir, segment), "utf8");
    for (const line of text.split("\n").slice(0, -1)) {
      const record = decodeLine(line);
      if (record.t === "intent") for (const leg of record.intent.legs) cloids.add(leg.cloid);
    }
  }
  return cloids;
}

const repo = fileURLToPath(new URL("../../", import.meta.url));
const journalModule = pathToFileURL(join(repo, "hotpath/execution/journal/index.ts")).href;
const fixturesModule = pathToFileURL(join(repo, "test/execution/intentState.fixtures.ts")).href;

/**
 * A writer that journals intents as fast as it can and "sends" each one (its cloids appended to `wire`)
 * only after `appendIntent` returned; two in three positions fill and close, the rest stay in flight.
 */
function startWriter(mode: JournalMode, dir: string, wire: string): ChildProcess {
  const script = join(tempDir(), "writer.ts");
  writeFileSync(
    script,
    `
import { openSync, writeSync } from "node:fs";
import { IntentJournal } from ${JSON.stringify(journalModule)};
import { BOOT_ID, openIntent, fill, filled } from ${JSON.stringify(fixturesModule)};
const { journal } = IntentJournal.open({
  dir: ${JSON.stringify(dir)}, bootId: ${JSON.stringify(CHILD_BOOT_ID)}, mode: ${JSON.stringify(mode)}, maintenance: "manual",
  reserveAhead: { blockSize: 8 }, maxSegmentBytes: 64 * 1024, retainSegments: 100000,
});
const wire = openSync(${JSON.stringify(wire)}, "a");
for (let seq = 1; ; seq++) {
  const now = Date.now();
  const intent = openIntent(seq, { perpCloid: journal.nextCloid(), spotCloid: journal.nextCloid(), createdAtMs: now });
  journal.appendIntent(intent);
  writeSync(wire, intent.legs.map((leg) => leg.cloid).join(" ") + "\\n");
  for (const leg of intent.legs) journal.appendOrderEvent(leg.cloid, { type: "sent", atMs: now });
  if (seq % 3 !== 2) {
    const [perp, spot] = intent.legs;
    journal.appendOrderEvent(perp.cloid, filled("0.49", { oid: seq * 10 }));
    journal.appendOrderEvent(spot.cloid, filled("0.5", { oid: seq * 10 + 1 }));
    journal.appendOrderEvent(perp.cloid, fill(seq * 10, "0.49", { oid: seq * 10, timeMs: now }));
    journal.appendPositionClosed(intent.positionId, now);
  }
  if (seq % 5 === 0) journal.maintain();
}
`,
  );
  return spawn(process.execPath, ["--import", "tsx", script], {
    cwd: repo,
    stdio: ["ignore", "ignore", "pipe"],
  });
}

async function waitForLines(file: string, lines: number, child: ChildProcess): Promise<void> {
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`writer exited with ${child.exitCode}: ${stderr}`);
    if (readFileSync(file, "utf8").split("\n").length > lines) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the writer did not send ${lines} intents in 30 s: ${stderr}`);
}

/** A process that reserves cloids, journals one intent with two of them, takes a third, and dies (SIGKILL). */
function runAndCrashAfterReserve(dir: string) {
  mkdirSync(dir, { recursive: true });
  const script = join(tempDir(), "reserve-crash.ts");
  writeFileSync(
    script,
    `
import { IntentJournal } from ${JSON.stringify(journalModule)};
import { BOOT_ID, openIntent, T0 } from ${JSON.stringify(fixturesModule)};
const { journal } = IntentJournal.open({
  dir: ${JSON.stringify(dir)}, bootId: ${JSON.stringify(CHILD_BOOT_ID)}, mode: "reserveAhead", maintenance: "manual",
  nowMs: () => T0, reserveAhead: { blockSize: 4, maxOrderLifetimeMs: 10000 },
});
const intent = openIntent(1, { perpCloid: journal.nextCloid(), spotCloid: journal.nextCloid() });
journal.appendIntent(intent);
const taken = journal.nextCloid();
process.stdout.write(JSON.stringify({ used: intent.legs.map((leg) => leg.cloid), taken }) + "\\n", () => {
  process.kill(process.pid, "SIGKILL");
});
`,
  );
  return spawnSync(process.execPath, ["--import", "tsx", script], { cwd: repo, encoding: "utf8" });
}
