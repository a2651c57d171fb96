/**
 * Shared set-up for the journal tests: temporary directories, a settable clock, opening journals, and a
 * scenario that exercises every record kind (hedged, hedge follow-up, closes, timeouts, an intent never
 * sent, a rejected intent, fills with fees in two tokens).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  IntentJournal,
  type IntentJournalOptions,
  type JournalRecovery,
} from "../../hotpath/execution/journal/index.js";
import {
  BOOT_ID,
  d,
  fill,
  filled,
  followUpIntent,
  leg,
  openIntent,
  sent,
  SPOT_ASSET,
  T0,
} from "./intentState.fixtures.js";

const tempDirs: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hlb-journal-"));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export class FakeClock {
  constructor(public ms: number) {}
  readonly now = (): number => this.ms;
}

export const PREFIX = "00000000000000aa";
/** The boot id of journals written by child processes in the tests. */
export const CHILD_BOOT_ID = "c0ffee00-0000-4000-8000-000000000001";

const opened: IntentJournal[] = [];
const opensPerDir = new Map<string, number>();

export function openJournal(
  dir: string,
  overrides: Partial<IntentJournalOptions> = {},
): { journal: IntentJournal; recovery: JournalRecovery } {
  // Each boot needs its own boot id and cloid prefix: the first open of a directory in this process gets
  // BOOT_ID and PREFIX, later ones others.
  const opens = opensPerDir.get(dir) ?? 0;
  opensPerDir.set(dir, opens + 1);
  const result = IntentJournal.open({
    dir,
    bootId: opens === 0 ? BOOT_ID : `${BOOT_ID.slice(0, -4)}${String(opens).padStart(4, "0")}`,
    maintenance: "manual",
    nowMs: () => T0 + 50,
    cloidPrefix: opens === 0 ? PREFIX : (0xbb00 + opens).toString(16).padStart(16, "0"),
    ...overrides,
  });
  opened.push(result.journal);
  return result;
}

/** Closes every journal the test opened (idempotent). */
export function closeJournals(): void {
  for (const journal of opened.splice(0)) journal.close();
  opensPerDir.clear();
}

/** The parts of a recovery that describe the journal's content (not where or when it was read). */
export function content(
  recovery: JournalRecovery,
): Omit<JournalRecovery, "dir" | "file" | "segment" | "warnings"> {
  const {
    openIntents,
    unknownOrders,
    possiblySent,
    lastFillTimeMs,
    highestNonce,
    nonceCeiling,
    recoveredAtMs,
  } = recovery;
  return {
    openIntents,
    unknownOrders,
    possiblySent,
    lastFillTimeMs,
    highestNonce,
    nonceCeiling,
    recoveredAtMs,
  };
}

const PERP_OID = 1000;
const SPOT_OID = 2000;

/**
 * Appends a scenario with every record kind, calling `after()` after each append. Cloids come from
 * `journal.nextCloid()` (reserved in reserve-ahead mode).
 */
export function runScenario(journal: IntentJournal, after: () => void = () => {}): void {
  const step = <T>(action: () => T): T => {
    const result = action();
    after();
    return result;
  };
  const open = (sequence: number) =>
    openIntent(sequence, {
      perpCloid: journal.nextCloid(),
      spotCloid: journal.nextCloid(),
      createdAtMs: T0 + sequence * 100,
    });
  const both = (intent: ReturnType<typeof open>) => intent.legs.map((l) => l.cloid);

  // 1: both legs fill, fills arrive (fees in USDC and HYPE), then the position closes.
  const a = open(1);
  step(() => journal.appendIntent(a));
  const [aPerp, aSpot] = both(a) as [never, never];
  step(() => journal.appendOrderEvent(aPerp, sent(T0 + 101)));
  step(() => journal.appendOrderEvent(aSpot, sent(T0 + 101)));
  step(() => journal.appendOrderEvent(aPerp, filled("0.49", { oid: PERP_OID })));
  step(() => journal.appendOrderEvent(aSpot, filled("0.5", { oid: SPOT_OID, avgPx: "24.55" })));
  step(() => journal.appendOrderEvent(aPerp, fill(11, "0.49", { oid: PERP_OID, timeMs: T0 + 120 })));
  step(() =>
    journal.appendOrderEvent(aSpot, fill(21, "0.5", { oid: SPOT_OID, feeToken: "HYPE", timeMs: T0 + 121 })),
  );

  // 2: spot rejected, perp filled → a hedge follow-up fills.
  const b = open(2);
  step(() => journal.appendIntent(b));
  const [bPerp, bSpot] = both(b) as [never, never];
  step(() => journal.appendOrderEvent(bPerp, sent(T0 + 201)));
  step(() => journal.appendOrderEvent(bSpot, sent(T0 + 201)));
  step(() => journal.appendOrderEvent(bPerp, filled("0.49", { oid: PERP_OID + 1 })));
  step(() =>
    journal.appendOrderEvent(bSpot, { type: "rejected", error: "Insufficient spot balance asset=10107" }),
  );
  const hedge = followUpIntent(
    b,
    20,
    "hedge",
    [
      leg({
        cloid: journal.nextCloid(),
        market: "spot",
        asset: SPOT_ASSET,
        side: "buy",
        size: d("0.5"),
        nonce: T0 + 250,
        expiresAfter: T0 + 2250,
      }),
    ],
    T0 + 250,
  );
  step(() => journal.appendIntent(hedge));
  const hedgeCloid = hedge.legs[0]?.cloid as never;
  step(() => journal.appendOrderEvent(hedgeCloid, sent(T0 + 251)));
  step(() => journal.appendOrderEvent(hedgeCloid, filled("0.5", { oid: 3000 })));
  step(() => journal.appendOrderEvent(hedgeCloid, fill(31, "0.3", { oid: 3000, timeMs: T0 + 260 })));

  step(() => journal.appendPositionClosed(a.positionId, T0 + 300));

  // 3: sent, response lost.
  const c = open(3);
  step(() => journal.appendIntent(c));
  const [cPerp, cSpot] = both(c) as [never, never];
  step(() => journal.appendOrderEvent(cPerp, sent(T0 + 301)));
  step(() => journal.appendOrderEvent(cSpot, sent(T0 + 301)));
  step(() => journal.appendOrderEvent(cPerp, { type: "outcomeUnknown", reason: "timeout", atMs: T0 + 1301 }));

  // 4: journaled, never marked sent (a crash right after the append).
  step(() => journal.appendIntent(open(4)));

  // 5: both rejected, closed.
  const e = open(5);
  step(() => journal.appendIntent(e));
  for (const c5 of both(e) as never[]) {
    step(() => journal.appendOrderEvent(c5, sent(T0 + 501)));
    step(() =>
      journal.appendOrderEvent(c5, { type: "rejected", error: "Order could not immediately match" }),
    );
  }
  step(() => journal.appendPositionClosed(e.positionId, T0 + 600));
}
