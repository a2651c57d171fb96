/**
 * Nonce allocator: uniqueness and monotonicity under a frozen clock and concurrent callers, no reuse across
 * graceful and crash restarts even when the clock moved backwards, lease persistence, one allocator per
 * signer, and the clock checks.
 */

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { afterAll, afterEach, describe, expect, it, vi } from "vitest";

import {
  NonceAllocator,
  type NonceAllocatorOptions,
  NonceAllocatorClosedError,
  NonceClockError,
  NoncePersistenceError,
  NonceSignerBusyError,
  NonceStateCorruptError,
  highWaterFilePath,
} from "../../hotpath/exchange/nonce/index.js";
import { type Address, toAddress } from "../../hotpath/exchange/wire/brands.js";

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A settable clock. */
class FakeClock {
  constructor(public ms: number) {}
  readonly now = (): number => this.ms;
}

const open: NonceAllocator[] = [];

afterEach(() => {
  for (const allocator of open.splice(0)) allocator.close();
  vi.useRealTimers();
});

const tempDirs: string[] = [];

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hlb-nonce-"));
  tempDirs.push(dir);
  return dir;
}

function freshSigner(): Address {
  return toAddress(`0x${randomBytes(20).toString("hex")}`);
}

function openAllocator(
  clock: FakeClock,
  overrides: Partial<NonceAllocatorOptions> & { dir?: string; signer?: Address } = {},
): NonceAllocator {
  const allocator = NonceAllocator.open({
    signer: overrides.signer ?? freshSigner(),
    dir: overrides.dir ?? tempDir(),
    nowMs: clock.now,
    backgroundRenewal: "inline-only",
    ...overrides,
  });
  open.push(allocator);
  return allocator;
}

/** Closes an allocator the test opened (and stops afterEach from closing it again). */
function closeAllocator(allocator: NonceAllocator): void {
  open.splice(open.indexOf(allocator), 1);
  allocator.close();
}

function persistedHighWater(allocator: NonceAllocator): number {
  return (JSON.parse(readFileSync(allocator.file, "utf8")) as { highWater: number }).highWater;
}

describe("NonceAllocator.next", () => {
  it("gives two legs in the same millisecond different, consecutive nonces", () => {
    const allocator = openAllocator(new FakeClock(T0));
    const perpLeg = allocator.next();
    const spotLeg = allocator.next();
    expect(perpLeg).toBe(T0);
    expect(spotLeg).toBe(T0 + 1);
  });

  it("issues 10,000 strictly increasing nonces in one frozen millisecond", () => {
    const allocator = openAllocator(new FakeClock(T0));
    const nonces = Array.from({ length: 10_000 }, () => allocator.next());
    for (let index = 1; index < nonces.length; index++)
      expect(nonces[index]).toBe((nonces[index - 1] ?? 0) + 1);
    expect(nonces[0]).toBe(T0);
    expect(new Set(nonces).size).toBe(10_000);
  });

  it("follows the clock when it is ahead of the last nonce: max(now, last + 1)", () => {
    const clock = new FakeClock(T0);
    const allocator = openAllocator(clock);
    expect([allocator.next(), allocator.next(), allocator.next()]).toEqual([T0, T0 + 1, T0 + 2]);
    clock.ms = T0 + 1; // behind the last nonce
    expect(allocator.next()).toBe(T0 + 3);
    clock.ms = T0 + 500;
    expect(allocator.next()).toBe(T0 + 500);
    clock.ms = T0 - 1000; // small backward step: keeps counting up
    expect(allocator.next()).toBe(T0 + 501);
  });

  it("hands unique nonces to many concurrent async callers", async () => {
    const clock = new FakeClock(T0);
    const allocator = openAllocator(clock);
    const callers = Array.from({ length: 2000 }, async (_, index) => {
      for (let hop = 0; hop < index % 5; hop++) await Promise.resolve();
      if (index % 7 === 0) clock.ms += 1;
      return allocator.next();
    });
    const nonces = await Promise.all(callers);
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it("does no I/O while the lease lasts", () => {
    const clock = new FakeClock(T0);
    const allocator = openAllocator(clock, { leaseMs: 10 * MINUTE });
    const leased = persistedHighWater(allocator);
    expect(leased).toBe(T0 + 10 * MINUTE);
    for (let index = 0; index < 1000; index++) {
      clock.ms += 100; // 100 s of trading, well inside half the lease
      allocator.next();
    }
    expect(persistedHighWater(allocator)).toBe(leased);
    expect(allocator.persistedHighWater).toBe(leased);
  });

  it("extends the lease inline at half-time and never issues above the persisted mark", () => {
    const clock = new FakeClock(T0);
    const allocator = openAllocator(clock, { leaseMs: 1000 });
    for (let step = 0; step < 5000; step++) {
      clock.ms += step % 3; // a mix of frozen and advancing milliseconds
      const nonce = allocator.next();
      expect(nonce).toBeLessThanOrEqual(persistedHighWater(allocator));
    }
    expect(allocator.persistedHighWater).toBeGreaterThan(T0 + 1000);
  });
});

describe("NonceAllocator across restarts", () => {
  it("continues after a graceful close exactly above the last nonce, though the clock went back an hour", () => {
    const dir = tempDir();
    const signer = freshSigner();
    const clock = new FakeClock(T0);
    const first = openAllocator(clock, { dir, signer });
    const issued = Array.from({ length: 100 }, () => first.next());
    closeAllocator(first);
    expect(persistedHighWater(first)).toBe(issued.at(-1));

    clock.ms = T0 - HOUR;
    const second = openAllocator(clock, { dir, signer });
    expect(second.next()).toBe((issued.at(-1) ?? 0) + 1);
  });

  it("continues above every nonce issued before a crash, with the clock moved backwards", () => {
    const dir = tempDir();
    const signer = freshSigner();
    const crashed = runAndCrash(dir, signer, T0);
    expect(crashed.status).toBe(null);
    expect(crashed.signal).toBe("SIGKILL");
    const lastBeforeCrash = Number(readFileSync(join(dir, "last-issued.txt"), "utf8"));
    expect(lastBeforeCrash).toBeGreaterThan(T0);

    // The dead process left its lock behind; a new allocator takes it over.
    const restarted = openAllocator(new FakeClock(T0 - 10 * MINUTE), { dir, signer });
    const next = restarted.next();
    expect(next).toBeGreaterThan(lastBeforeCrash);
    // It jumps at most one lease ahead of what the crashed process had reached.
    expect(next - lastBeforeCrash).toBeLessThanOrEqual(10 * MINUTE + 1);
  });

  it("fails instead of starting from zero when the state file is corrupt or belongs to another signer", () => {
    const dir = tempDir();
    const signer = freshSigner();
    const file = highWaterFilePath(dir, signer);
    writeFileSync(file, "{not json");
    expect(() => openAllocator(new FakeClock(T0), { dir, signer })).toThrow(NonceStateCorruptError);
    writeFileSync(file, JSON.stringify({ signer: freshSigner(), highWater: T0 }));
    expect(() => openAllocator(new FakeClock(T0), { dir, signer })).toThrow(/belongs to signer/);
    writeFileSync(file, JSON.stringify({ signer, highWater: "soon" }));
    expect(() => openAllocator(new FakeClock(T0), { dir, signer })).toThrow(/not a whole number/);
    // The failed opens released the lock: a valid file opens fine.
    writeFileSync(file, JSON.stringify({ signer, highWater: T0 + 5 }));
    expect(openAllocator(new FakeClock(T0), { dir, signer }).next()).toBe(T0 + 6);
  });
});

describe("one allocator per signer", () => {
  it("refuses a second allocator for the same signer in this process until the first is closed", () => {
    const dir = tempDir();
    const signer = freshSigner();
    const first = openAllocator(new FakeClock(T0), { dir, signer });
    expect(() => openAllocator(new FakeClock(T0), { dir, signer })).toThrow(NonceSignerBusyError);
    expect(() => openAllocator(new FakeClock(T0), { dir })).not.toThrow(); // another signer is fine
    closeAllocator(first);
    expect(() => openAllocator(new FakeClock(T0), { dir, signer })).not.toThrow();
  });

  it("refuses a signer locked by another live process", () => {
    const dir = tempDir();
    const signer = freshSigner();
    writeFileSync(join(dir, `${signer}.nonce.lock`), `${process.ppid}\n`);
    let error: unknown;
    try {
      openAllocator(new FakeClock(T0), { dir, signer });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NonceSignerBusyError);
    expect((error as NonceSignerBusyError).holderPid).toBe(process.ppid);
    expect((error as Error).message).toContain(`process ${process.ppid}`);
  });

  it("throws once closed", () => {
    const allocator = openAllocator(new FakeClock(T0));
    closeAllocator(allocator);
    expect(() => allocator.next()).toThrow(NonceAllocatorClosedError);
  });
});

describe("background lease renewal", () => {
  it("extends the lease from a timer so next() does not have to", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const clock = new FakeClock(T0);
    const onError = vi.fn();
    const allocator = openAllocator(clock, { leaseMs: 8000, backgroundRenewal: { onError } });
    expect(allocator.persistedHighWater).toBe(T0 + 8000);
    clock.ms = T0 + 5000; // less than half the lease left
    allocator.next();
    expect(allocator.persistedHighWater).toBe(T0 + 8000); // next() did not write
    vi.advanceTimersByTime(1000); // interval = lease / 8
    expect(allocator.persistedHighWater).toBe(T0 + 5000 + 8000);
    expect(persistedHighWater(allocator)).toBe(T0 + 13_000);
    expect(onError).not.toHaveBeenCalled();
  });

  it("reports a failed renewal, and next() refuses to pass the durable mark", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const dir = join(tempDir(), "nonces");
    const clock = new FakeClock(T0);
    const onError = vi.fn();
    const allocator = openAllocator(clock, { dir, leaseMs: 8000, backgroundRenewal: { onError } });
    rmSync(dir, { recursive: true });
    writeFileSync(dir, "a file where the directory was");

    clock.ms = T0 + 6000;
    vi.advanceTimersByTime(1000);
    expect(onError).toHaveBeenCalledWith(expect.any(NoncePersistenceError));
    expect(allocator.next()).toBe(T0 + 6000); // still inside the durable lease

    clock.ms = T0 + 8001;
    expect(() => allocator.next()).toThrow(NoncePersistenceError);
    expect(allocator.lastIssued).toBe(T0 + 6000);

    rmSync(dir);
    mkdirSync(dir);
    expect(allocator.next()).toBe(T0 + 8001);
    // afterEach's close() needs the lock file back: the directory was replaced under it.
    writeFileSync(join(dir, `${allocator.signer}.nonce.lock`), `${process.pid}\n`);
  });
});

describe("clock safety", () => {
  it("throws instead of running more than maxLeadMs ahead of the clock, issuing nothing", () => {
    const allocator = openAllocator(new FakeClock(T0), { leaseMs: 50, maxLeadMs: 100 });
    for (let index = 0; index <= 100; index++) allocator.next();
    expect(allocator.lastIssued).toBe(T0 + 100);
    expect(() => allocator.next()).toThrow(NonceClockError);
    expect(allocator.lastIssued).toBe(T0 + 100);
    try {
      allocator.next();
    } catch (error) {
      expect(error).toMatchObject({
        problem: "lead",
        details: { nonce: T0 + 101, localMs: T0, limitMs: 100 },
      });
    }
  });

  it("throws when the clock jumps back further than maxLeadMs", () => {
    const clock = new FakeClock(T0);
    const allocator = openAllocator(clock);
    allocator.next();
    clock.ms = T0 - 7 * HOUR;
    expect(() => allocator.next()).toThrow(/ahead of the local clock/);
  });

  it("refuses to start when the persisted mark is too far ahead of the clock", () => {
    const dir = tempDir();
    const signer = freshSigner();
    writeFileSync(highWaterFilePath(dir, signer), JSON.stringify({ signer, highWater: T0 + DAY }));
    expect(() => openAllocator(new FakeClock(T0), { dir, signer })).toThrow(NonceClockError);
    expect(openAllocator(new FakeClock(T0 + DAY - HOUR), { dir, signer }).next()).toBe(T0 + DAY + 1);
  });

  it("rejects a clock that is not whole milliseconds", () => {
    const clock = new FakeClock(T0);
    const allocator = openAllocator(clock);
    clock.ms = T0 + 0.5;
    expect(() => allocator.next()).toThrow(expect.objectContaining({ problem: "clock" }));
    clock.ms = Number.NaN;
    expect(() => allocator.next()).toThrow(expect.objectContaining({ problem: "clock" }));
    expect(() => openAllocator(new FakeClock(Number.NaN))).toThrow(NonceClockError);
  });

  it("checkClock accepts a clock close to the exchange's", () => {
    const allocator = openAllocator(new FakeClock(T0));
    expect(() => allocator.checkClock(T0 - 29_000)).not.toThrow();
    expect(() => allocator.checkClock(T0 + 29_000)).not.toThrow();
  });

  it("checkClock throws when the local clock is skewed beyond maxClockSkewMs", () => {
    const allocator = openAllocator(new FakeClock(T0));
    expect(() => allocator.checkClock(T0 - 31_000)).toThrow(/31000 ms ahead of the exchange/);
    expect(() => allocator.checkClock(T0 + 31_000)).toThrow(/31000 ms behind the exchange/);
    try {
      allocator.checkClock(T0 + 31_000);
    } catch (error) {
      expect(error).toMatchObject({ problem: "skew", details: { exchangeMs: T0 + 31_000, limitMs: 30_000 } });
    }
  });

  it("checkClock throws when the next nonce falls outside the exchange's window less the margin", () => {
    const tolerant = { maxClockSkewMs: 3 * DAY };
    const ahead = openAllocator(new FakeClock(T0), tolerant);
    expect(() => ahead.checkClock(T0 - DAY + 2 * HOUR)).not.toThrow();
    expect(() => ahead.checkClock(T0 - DAY + 30 * MINUTE)).toThrow(
      expect.objectContaining({ problem: "window" }),
    );
    const behind = openAllocator(new FakeClock(T0), tolerant);
    expect(() => behind.checkClock(T0 + 2 * DAY - 2 * HOUR)).not.toThrow();
    expect(() => behind.checkClock(T0 + 2 * DAY - 30 * MINUTE)).toThrow(
      /outside the exchange's acceptance window/,
    );
  });

  it("checkClock counts the nonce lead, not just the clock", () => {
    const dir = tempDir();
    const signer = freshSigner();
    // A crash-restart storm left the mark 5 h ahead; the clock itself agrees with the exchange.
    writeFileSync(highWaterFilePath(dir, signer), JSON.stringify({ signer, highWater: T0 + 5 * HOUR }));
    const allocator = openAllocator(new FakeClock(T0), { dir, signer, windowMarginMs: 20 * HOUR });
    expect(() => allocator.checkClock(T0)).toThrow(expect.objectContaining({ problem: "window" }));
  });
});

/** Runs an allocator in a child process that SIGKILLs itself mid-stream; returns the child's result. */
function runAndCrash(dir: string, signer: Address, clockMs: number) {
  const repo = fileURLToPath(new URL("../../", import.meta.url));
  const allocatorModule = pathToFileURL(join(repo, "hotpath/exchange/nonce/index.ts")).href;
  const script = join(tempDir(), "crash.ts");
  writeFileSync(
    script,
    [
      `import { writeFileSync } from "node:fs";`,
      `import { NonceAllocator } from ${JSON.stringify(allocatorModule)};`,
      `let now = ${clockMs};`,
      `const allocator = NonceAllocator.open({ signer: ${JSON.stringify(signer)}, dir: ${JSON.stringify(dir)},`,
      `  nowMs: () => now, backgroundRenewal: "inline-only" });`,
      `let last = 0;`,
      `for (let i = 0; i < 20000; i++) { if (i % 3 === 0) now += 1; last = allocator.next(); }`,
      `writeFileSync(${JSON.stringify(join(dir, "last-issued.txt"))}, String(last));`,
      `process.kill(process.pid, "SIGKILL");`,
    ].join("\n"),
  );
  return spawnSync(process.execPath, ["--import", "tsx", script], {
    cwd: repo,
    env: { PATH: process.env["PATH"] ?? "" },
    encoding: "utf8",
  });
}
