/**
 * The intent journal on real files: the record format, both durability modes, refusal of records the state
 * machine rejects, restart semantics (unfinished orders become unknown), corruption that stops start-up,
 * rotation (recovery after rotation equals recovery without it), reserve-ahead reservations and releases,
 * and the single-writer lock against this and another live process.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { crc32 } from "node:zlib";

import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Cloid } from "../../hotpath/exchange/wire/brands.js";
import {
  crc32Utf8,
  decodeLine,
  JournalBusyError,
  JournalClosedError,
  JournalCorruptError,
  JournalRecordRefusedError,
  listSegments,
  recoverJournal,
  segmentPath,
} from "../../hotpath/execution/journal/index.js";
import { cloidOf, counterOf } from "../../hotpath/execution/journal/reservations.js";
import { BOOT_ID, cloid, openIntent, sent, T0 } from "./intentState.fixtures.js";
import {
  closeJournals,
  content,
  FakeClock,
  openJournal,
  PREFIX,
  removeTempDirs,
  runScenario,
  tempDir,
  CHILD_BOOT_ID,
} from "./journal.fixtures.js";

afterEach(() => {
  closeJournals();
  removeTempDirs();
});

function lines(file: string): string[] {
  return readFileSync(file, "utf8").split("\n").slice(0, -1);
}

function recordTypes(file: string): string[] {
  return lines(file).map((line) => decodeLine(line).t);
}

describe("record format", () => {
  it("writes one `<json>\\t<crc32>` line per record, readable with standard tools", () => {
    const dir = tempDir();
    const { journal } = openJournal(dir);
    const intent = openIntent(1);
    journal.appendIntent(intent);
    const [header, boot, record] = lines(journal.file);
    expect(JSON.parse(header?.split("\t")[0] ?? "")).toMatchObject({ t: "segment", format: 1, segment: 1 });
    expect(JSON.parse(boot?.split("\t")[0] ?? "")).toMatchObject({
      t: "boot",
      bootId: BOOT_ID,
      cloidPrefix: PREFIX,
    });
    const [json, crc] = (record ?? "").split("\t");
    expect(JSON.parse(json ?? "")).toEqual({ t: "intent", intent });
    expect(crc).toBe(
      crc32(Buffer.from(json ?? ""))
        .toString(16)
        .padStart(8, "0"),
    );
  });

  it("computes CRC-32 over the UTF-8 bytes, as zlib does, for any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        expect(crc32Utf8(text)).toBe(crc32(Buffer.from(text, "utf8")));
      }),
      { numRuns: 500 },
    );
  });
});

describe("cloids", () => {
  it("are 0x + the boot's prefix + a 16-digit counter, read back exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (counter) => {
        const cloid = cloidOf(PREFIX, counter);
        expect(cloid).toMatch(/^0x[0-9a-f]{32}$/);
        expect(counterOf(cloid)).toBe(counter);
      }),
    );
    expect(counterOf("0x00000000000000aaffffffffffffffff" as Cloid)).toBe(-1); // beyond any block
  });
});

describe("appends", () => {
  it("fsyncBeforeSend: an intent is fdatasync'd before appendIntent returns; events are buffered", async () => {
    const { journal } = openJournal(tempDir());
    const intent = openIntent(1);
    const before = journal.stats.durableAppends;
    const state = journal.appendIntent(intent);
    expect(state.status).toBe("intended");
    expect(journal.stats.durableAppends).toBe(before + 1);
    expect(journal.stats.durableBytes).toBe(journal.stats.bytes);
    journal.appendOrderEvent(intent.legs[0]?.cloid as Cloid, sent());
    expect(journal.stats.durableBytes).toBeLessThan(journal.stats.bytes);
    await journal.flush();
    expect(journal.stats.durableBytes).toBe(journal.stats.bytes);
    expect(journal.stats.asyncSyncs).toBeGreaterThan(0);
  });

  it("returns the root's new state for every event, follow-ups included", () => {
    const { journal } = openJournal(tempDir());
    runScenario(journal);
    const open = journal.openIntents();
    expect(open.map((state) => [state.intent.intentId, state.status])).toEqual([
      [`${BOOT_ID}:2`, "hedged"],
      [`${BOOT_ID}:3`, "sent"],
      [`${BOOT_ID}:4`, "intended"],
    ]);
    expect(journal.state(`${BOOT_ID}:20` as never)?.intent.intentId).toBe(`${BOOT_ID}:2`);
    expect(journal.hasUnknownOutcome()).toBe(true); // intent 3's perp leg timed out
    expect(journal.lastFillTimeMs).toBe(T0 + 260);
  });

  it("refuses, without writing anything, a record the state machine rejects", () => {
    const { journal } = openJournal(tempDir());
    const intent = openIntent(1);
    journal.appendIntent(intent);
    const perp = intent.legs[0]?.cloid as Cloid;
    journal.appendOrderEvent(perp, sent());
    const bytes = journal.stats.bytes;

    const resend = (): unknown => journal.appendOrderEvent(perp, sent());
    expect(resend).toThrow(JournalRecordRefusedError);
    try {
      resend();
    } catch (error) {
      expect((error as JournalRecordRefusedError).transition?.reason).toMatch(/never resend/);
    }
    expect(() => journal.appendOrderEvent(cloid(999), sent())).toThrow(/no open intent has an order/);
    expect(() => journal.appendIntent(intent)).toThrow(/already open/);
    expect(() => journal.appendIntent({ ...openIntent(2), legs: [] })).toThrow(JournalRecordRefusedError);
    expect(() => journal.appendIntent(openIntent(3, { perpCloid: perp }))).toThrow(
      /already used by open intent/,
    );
    expect(() => journal.appendPositionClosed(intent.positionId, T0)).toThrow(/close only a hedged/);
    expect(journal.stats.bytes).toBe(bytes);
    expect(recordTypes(journal.file)).toEqual(["segment", "boot", "intent", "order"]);
  });

  it("refuses appends once closed", () => {
    const { journal } = openJournal(tempDir());
    journal.close();
    expect(() => journal.appendIntent(openIntent(1))).toThrow(JournalClosedError);
  });
});

describe("restart and recovery", () => {
  it("reopens with every unfinished order unknown (reason restart), recorded in the file", () => {
    const dir = tempDir();
    const first = openJournal(dir);
    runScenario(first.journal);
    first.journal.close();

    const clock = new FakeClock(T0 + 10_000);
    const { journal, recovery } = openJournal(dir, { nowMs: clock.now });
    expect(recovery.warnings).toEqual([]);
    expect(recovery.openIntents.map((state) => state.status)).toEqual(["hedged", "sent", "sent"]);
    expect(recovery.unknownOrders.map((order) => [order.intentId, order.reason])).toEqual([
      [`${BOOT_ID}:3`, "timeout"],
      [`${BOOT_ID}:3`, "restart"],
      [`${BOOT_ID}:4`, "restart"],
      [`${BOOT_ID}:4`, "restart"],
    ]);
    expect(recovery.lastFillTimeMs).toBe(T0 + 260);
    expect(recovery.highestNonce).toBe(T0 + 500);
    expect(journal.hasUnknownOutcome()).toBe(true);
    expect(recordTypes(journal.file).slice(-4)).toEqual(["boot", "order", "order", "order"]);

    // Probes resolve them; a later restart has nothing unknown left.
    for (const order of recovery.unknownOrders) {
      journal.appendOrderEvent(order.cloid, { type: "probed", atMs: T0 + 10_000, result: { found: false } });
    }
    expect(journal.hasUnknownOutcome()).toBe(false);
    journal.close();
    const again = openJournal(dir, { nowMs: clock.now });
    expect(again.recovery.unknownOrders).toEqual([]);
    expect(again.recovery.openIntents.map((state) => state.status)).toEqual([
      "hedged",
      "rejected",
      "rejected",
    ]);
  });

  it("refuses to reuse the previous boot's cloid prefix or boot id (cloids, intent ids would repeat)", () => {
    const dir = tempDir();
    openJournal(dir).journal.close();
    expect(() => openJournal(dir, { cloidPrefix: PREFIX })).toThrow(/used by an earlier boot/);
    expect(() => openJournal(dir, { bootId: BOOT_ID })).toThrow(/intent ids would repeat/);
    expect(readdirSync(dir)).not.toContain("journal.lock");
  });

  it("recovers read-only exactly what open() then finds", () => {
    const dir = tempDir();
    const first = openJournal(dir);
    runScenario(first.journal);
    first.journal.close();
    const readOnly = recoverJournal(dir, { nowMs: () => T0 + 9_000 });
    const { recovery } = openJournal(dir, { nowMs: () => T0 + 9_000 });
    expect(content(recovery)).toEqual(content(readOnly));
  });

  it("stops start-up on a corrupt record in the middle, naming file, line and offset", () => {
    const dir = tempDir();
    const first = openJournal(dir);
    runScenario(first.journal);
    first.journal.close();
    const file = segmentPath(dir, 1);
    const original = readFileSync(file, "utf8");
    const all = original.split("\n");
    const victim = 2; // 0-based: the third line, intent 1
    const offset = Buffer.byteLength(all.slice(0, victim).join("\n")) + 1;
    all[victim] = (all[victim] ?? "").replace('"0.49"', '"0.48"'); // one wrong digit
    writeFileSync(file, all.join("\n"));

    let error: unknown;
    try {
      openJournal(dir);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(JournalCorruptError);
    expect(error).toMatchObject({ file, line: victim + 1, offset, problem: "checksum" });
    expect((error as Error).message).toMatch(/do not edit or delete it/);
    // Fail closed: the file is untouched and the lock was released.
    expect(readFileSync(file, "utf8")).toBe(all.join("\n"));
    expect(readdirSync(dir)).not.toContain("journal.lock");
  });

  it("stops start-up on a well-formed record that cannot follow the ones before it", () => {
    const dir = tempDir();
    const first = openJournal(dir);
    const intent = openIntent(1);
    first.journal.appendIntent(intent);
    first.journal.close();
    const forged = JSON.stringify({
      t: "order",
      intentId: intent.intentId,
      cloid: intent.legs[0]?.cloid,
      event: { type: "filled", oid: 1, totalSize: "0.49", avgPx: "24.5" },
    });
    appendFileSync(segmentPath(dir, 1), `${forged}\t${crc32Utf8(forged).toString(16).padStart(8, "0")}\n`);
    let error: unknown;
    try {
      recoverJournal(dir);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(JournalCorruptError);
    expect(error).toMatchObject({ problem: "inconsistent", line: 4 });
    expect((error as JournalCorruptError).detail).toMatch(/never sent/);
  });

  it("truncates a torn last record on open, with a typed warning, and appends after it", () => {
    const dir = tempDir();
    const first = openJournal(dir);
    first.journal.appendIntent(openIntent(1));
    first.journal.close();
    const file = segmentPath(dir, 1);
    const intact = readFileSync(file);
    appendFileSync(file, '{"t":"intent","intent":{"intentId":"0f7c3b2a');
    const { journal, recovery } = openJournal(dir);
    expect(recovery.warnings).toEqual([
      {
        kind: "tornTail",
        file,
        offset: intact.length,
        bytes: 44,
        excerpt: '{"t":"intent","intent":{"intentId":"0f7c3b2a',
      },
    ]);
    expect(readFileSync(file).subarray(0, intact.length).equals(intact)).toBe(true);
    journal.appendIntent(openIntent(2));
    journal.close();
    expect(recoverJournal(dir).openIntents).toHaveLength(2);
  });
});

describe("rotation", () => {
  it("recovers the same state with a rotation after every record as without any", () => {
    const plainDir = tempDir();
    const plain = openJournal(plainDir);
    runScenario(plain.journal);

    const rotatingDir = tempDir();
    const rotating = openJournal(rotatingDir, { maxSegmentBytes: 1, retainSegments: 3 });
    let appends = 0;
    runScenario(rotating.journal, () => {
      appends += 1;
      rotating.journal.maintain();
    });
    expect(rotating.journal.stats.rotations).toBe(appends);
    expect(listSegments(rotatingDir)).toHaveLength(3);

    const now = { nowMs: () => T0 + 7_000 };
    expect(content(recoverJournal(rotatingDir, now))).toEqual(content(recoverJournal(plainDir, now)));
    // The snapshot holds only what is open: closed intents 1 and 5 are gone from the newest segment.
    const newest = readFileSync(rotating.journal.file, "utf8");
    expect(newest).not.toContain(`"intentId":"${BOOT_ID}:1"`);
    expect(newest).toContain(`"intentId":"${BOOT_ID}:2"`);
  });

  it("rotates in reserve-ahead mode too, carrying the outstanding reservations", () => {
    const options = { mode: "reserveAhead" as const, reserveAhead: { blockSize: 4 } };
    // Both call maintain() after every append (it also tops up reservations); only one rotates.
    const plainDir = tempDir();
    const plain = openJournal(plainDir, options);
    runScenario(plain.journal, () => plain.journal.maintain());
    expect(plain.journal.stats.rotations).toBe(0);
    const rotatingDir = tempDir();
    const rotating = openJournal(rotatingDir, { ...options, maxSegmentBytes: 1 });
    runScenario(rotating.journal, () => rotating.journal.maintain());
    const now = { nowMs: () => T0 + 7_000 };
    const expected = recoverJournal(plainDir, now);
    expect(expected.possiblySent.length).toBeGreaterThan(0);
    expect(content(recoverJournal(rotatingDir, now))).toEqual(content(expected));
  });
});

describe("maintenance timer", () => {
  it("tops up reservations and rotates off the order path, reporting nothing when all is well", async () => {
    const onError = vi.fn();
    const { journal } = openJournal(tempDir(), {
      mode: "reserveAhead",
      reserveAhead: { blockSize: 4 },
      maxSegmentBytes: 1,
      maintenance: { onError, intervalMs: 5 },
    });
    const reservations = journal.stats.reservations;
    journal.nextCloid();
    journal.nextCloid();
    journal.nextCloid();
    await vi.waitFor(() => {
      expect(journal.stats.rotations).toBeGreaterThan(0);
      expect(journal.stats.reservations).toBeGreaterThan(reservations);
    });
    expect(journal.stats.inlineReservations).toBe(0);
    expect(onError).not.toHaveBeenCalled();
  });
});

describe("reserve-ahead mode", () => {
  it("buffers intents whose cloids and nonces are reserved, and fsyncs the others inline", async () => {
    const { journal } = openJournal(tempDir(), { mode: "reserveAhead", reserveAhead: { blockSize: 8 } });
    const reserved = openIntent(1, { perpCloid: journal.nextCloid(), spotCloid: journal.nextCloid() });
    journal.appendIntent(reserved);
    expect(journal.stats).toMatchObject({ syncFallbacks: 0 });
    expect(journal.stats.durableBytes).toBeLessThan(journal.stats.bytes);
    await journal.flush();
    expect(journal.stats.durableBytes).toBe(journal.stats.bytes);

    journal.appendIntent(openIntent(2)); // cloids of its own, not reserved
    expect(journal.stats.syncFallbacks).toBe(1);
    const farNonce = openIntent(3, {
      perpCloid: journal.nextCloid(),
      spotCloid: journal.nextCloid(),
      nonce: T0 + 24 * 60 * 60 * 1000,
    });
    journal.appendIntent(farNonce);
    expect(journal.stats.syncFallbacks).toBe(2);
    expect(journal.stats.durableBytes).toBe(journal.stats.bytes);
  });

  it("reserves the next block off the order path, or inline when the timer fell behind", () => {
    const { journal } = openJournal(tempDir(), { mode: "reserveAhead", reserveAhead: { blockSize: 4 } });
    const reservations = journal.stats.reservations;
    journal.nextCloid();
    journal.nextCloid();
    journal.nextCloid();
    journal.maintain(); // one left of four: top up
    expect(journal.stats.reservations).toBe(reservations + 1);
    for (let index = 0; index < 6; index++) journal.nextCloid(); // 4 … 9: the 9th needs a new block
    expect(journal.stats.inlineReservations).toBe(1);
    expect(journal.nextCloid()).toBe(`0x${PREFIX}000000000000000a`);
  });

  it("reports reserved cloids without an intent record as possibly sent, until released", () => {
    const dir = tempDir();
    const clock = new FakeClock(T0);
    const { journal } = openJournal(dir, {
      mode: "reserveAhead",
      reserveAhead: { blockSize: 4, maxOrderLifetimeMs: 10_000 },
      nowMs: clock.now,
    });
    const used = openIntent(1, { perpCloid: journal.nextCloid(), spotCloid: journal.nextCloid() });
    journal.appendIntent(used);
    journal.nextCloid(); // taken, crash before its intent record

    // What a restart would see right now (a crash: no clean close).
    clock.ms = T0 + 1_000;
    const crashed = recoverJournal(dir, { nowMs: clock.now });
    expect(crashed.possiblySent).toEqual([
      { cloid: `0x${PREFIX}0000000000000003`, expiresBeforeMs: T0 + 11_000 },
      { cloid: `0x${PREFIX}0000000000000004`, expiresBeforeMs: T0 + 11_000 },
    ]);
    expect(crashed.nonceCeiling).toBe(T0 + 5 * 60 * 1000);

    // A clean close releases them: nothing to probe after a clean restart.
    journal.close();
    expect(recoverJournal(dir).possiblySent).toEqual([]);
  });
});

describe("single writer", () => {
  it("refuses a second journal on the same directory in this process until the first is closed", () => {
    const dir = tempDir();
    const { journal } = openJournal(dir);
    expect(() => openJournal(dir)).toThrow(JournalBusyError);
    journal.close();
    expect(() => openJournal(dir)).not.toThrow();
  });

  it("refuses a journal held by another live process, naming it; takes over once it died", async () => {
    const dir = tempDir();
    const child = await holdJournalInChild(dir);
    try {
      let error: unknown;
      try {
        openJournal(dir);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(JournalBusyError);
      expect((error as JournalBusyError).holderPid).toBe(child.pid);
      expect((error as Error).message).toContain(`process ${child.pid}`);
      expect((error as Error).message).toContain(join(dir, "journal.lock"));
    } finally {
      await kill(child);
    }
    const { recovery } = openJournal(dir);
    expect(recovery.openIntents.map((state) => state.intent.intentId)).toEqual([`${BOOT_ID}:1`]);
  });
});

/** Starts a process that opens the journal in `dir`, journals one intent and waits. */
async function holdJournalInChild(dir: string): Promise<ChildProcess> {
  const repo = fileURLToPath(new URL("../../", import.meta.url));
  const journalModule = pathToFileURL(join(repo, "hotpath/execution/journal/index.ts")).href;
  const fixtures = pathToFileURL(join(repo, "test/execution/intentState.fixtures.ts")).href;
  const script = join(tempDir(), "hold.ts");
  writeFileSync(
    script,
    [
      `import { IntentJournal } from ${JSON.stringify(journalModule)};`,
      `import { openIntent, BOOT_ID } from ${JSON.stringify(fixtures)};`,
      `const { journal } = IntentJournal.open({ dir: ${JSON.stringify(dir)}, bootId: ${JSON.stringify(CHILD_BOOT_ID)}, maintenance: "manual" });`,
      `journal.appendIntent(openIntent(1));`,
      `process.stdout.write("ready\\n");`,
      `setInterval(() => {}, 1000);`,
    ].join("\n"),
  );
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: repo,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`holder exited with ${code}: ${stderr}`)));
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}
