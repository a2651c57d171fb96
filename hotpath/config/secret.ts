/**
 * `Secret`: a value that refuses to be printed.
 *
 * `toString`, `toJSON`, template literals, `util.inspect` / `console.log` all give "[REDACTED]"; the value
 * lives in an ECMAScript private field, so it is not an own property that `Object.keys`, spreading,
 * `JSON.stringify` or a structured clone could reach. The only way out is `reveal()`, which makes every
 * use greppable. This guards against accidents, not against code that calls `reveal()` and logs the result:
 * that is what the log scrubber (`observability/redact.ts`) is for.
 */

import { inspect } from "node:util";

const REDACTED = "[REDACTED]";

export class Secret {
  readonly #value: string;

  /** @param description where the value came from, safe to print (e.g. `env HLB_AGENT_PRIVATE_KEY`). */
  constructor(
    value: string,
    readonly description: string,
  ) {
    this.#value = value;
  }

  /** The secret value itself. Pass it straight to the code that needs it; never store or print it. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
