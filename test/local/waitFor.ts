/**
 * Polls `probe` until it returns something truthy (and returns that), or fails naming what it waited
 * for. For tests of asynchronous pipelines: wait for an outcome, then assert on it.
 */

import { setTimeout as sleep } from "node:timers/promises";

export class WaitTimeoutError extends Error {
  override readonly name = "WaitTimeoutError";
}

export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  options: { readonly timeoutMs?: number; readonly intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() > deadline) {
      throw new WaitTimeoutError(`waited ${timeoutMs} ms for ${what}; last value ${JSON.stringify(last)}`);
    }
    await sleep(options.intervalMs ?? 25);
  }
}
