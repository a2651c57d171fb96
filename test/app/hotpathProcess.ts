/**
 * The real hot path process (`node --import tsx hotpath/main.ts`) under test: spawned with only the `HLB_*`
 * environment a test gives it (plus `PATH`/`HOME`/`TMPDIR`), its JSON log lines (stdout) collected, its
 * stderr kept, its exit observed. Signals are sent to its pid (never by name).
 */

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface LogLine {
  readonly level?: string;
  readonly message?: string;
  readonly [field: string]: unknown;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class HotpathProcess {
  readonly logs: LogLine[] = [];
  stderr = "";
  readonly exited: Promise<ProcessExit>;
  readonly #child: ChildProcess;
  #exit: ProcessExit | null = null;
  #partial = "";

  private constructor(env: Readonly<Record<string, string>>) {
    const base: Record<string, string> = {};
    for (const name of ["PATH", "HOME", "TMPDIR"]) {
      const value = process.env[name];
      if (value !== undefined) base[name] = value;
    }
    this.#child = spawn(process.execPath, ["--import", "tsx", "hotpath/main.ts"], {
      cwd: ROOT,
      env: { ...base, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child.stdout!.setEncoding("utf8").on("data", (chunk: string) => this.#onStdout(chunk));
    this.#child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.#child.once("exit", (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
  }

  static spawn(env: Readonly<Record<string, string>>): HotpathProcess {
    return new HotpathProcess(env);
  }

  get pid(): number {
    return this.#child.pid!;
  }

  get running(): boolean {
    return this.#exit === null;
  }

  /** Sends `signal` to this process only. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.#child.kill(signal);
  }

  /** The first log line (already written or still to come) for which `match` holds. */
  async waitForLog(what: string, match: (line: LogLine) => boolean, timeoutMs = 60_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.logs.find(match);
      if (line !== undefined) return line;
      if (!this.running) {
        throw new Error(`the process exited (${JSON.stringify(this.#exit)}) before ${what}:\n${this.stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}:\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Waits for the `hot path started` line; returns the host's base URL. */
  async started(timeoutMs = 90_000): Promise<{ line: LogLine; hostUrl: string }> {
    const line = await this.waitForLog(
      "hot path started",
      (entry) => entry.message === "hot path started",
      timeoutMs,
    );
    return { line, hostUrl: `http://${String(line["host"])}` };
  }

  /** Stops it (SIGTERM, then SIGKILL after `graceMs`) and waits for the exit. */
  async stop(graceMs = 15_000): Promise<ProcessExit> {
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  #onStdout(chunk: string): void {
    const text = this.#partial + chunk;
    const lines = text.split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        this.logs.push({ message: line });
      }
    }
  }
}
