/**
 * Scrubs known secret values out of serialized log lines (defence in depth behind pino's `redact` paths).
 *
 * Decision: we scrub EXACTLY the secrets this process holds, not every 32-byte hex string. Order hashes,
 * transaction hashes and keccak digests are also 32-byte hex and are worth logging; a blanket pattern would
 * destroy them and teach people to ignore "[REDACTED]". Instead every secret is registered here when it is
 * resolved (`resolveSecret` does it automatically; anything that creates key material itself, such as the
 * simulator's throwaway key, must call `registerSecret`). The logger runs `scrub` on each finished line, so a
 * registered key never leaves the process, whatever field, error message or stack trace it hides in.
 *
 * Forms matched for each secret, all case-insensitively: the value as registered, its JSON-escaped form (how
 * it appears inside a JSON string), and for hex keys the bare hex without `0x` (which also covers the
 * `0x`-prefixed form) plus the standard and URL-safe base64 of the key bytes. Not matched: the key bytes
 * logged as a number array (a Buffer's JSON form) or split across fields; don't log raw key bytes.
 *
 * Cost: nothing until a secret is registered, then one regex pass per log line (microseconds for a line of
 * a few hundred bytes). The hot path does not log per message, so this never sits on the critical path.
 */

export const REDACTED = "[REDACTED]";

/** Shorter values would match ordinary text and wreck the logs; no real key or token is this short. */
export const MIN_SCRUBBABLE_SECRET_LENGTH = 8;

/** `0x` + 64 hex or bare 64 hex: the shape of a secp256k1 private key (and of any 32-byte hash). */
const PRIVATE_KEY_SHAPE = /^(?:0x)?[0-9a-fA-F]{64}$/;

export class SecretTooShortToScrubError extends Error {
  override readonly name = "SecretTooShortToScrubError";
  constructor(readonly length: number) {
    super(
      `a secret of ${length} characters cannot be scrubbed from logs without destroying ordinary text; ` +
        `secrets must have at least ${MIN_SCRUBBABLE_SECRET_LENGTH} characters`,
    );
  }
}

/** Holds the live secret values of this process and removes them from text. */
export class SecretScrubber {
  readonly #needles = new Set<string>();
  #pattern: RegExp | null = null;

  /** Number of distinct textual forms being scrubbed (for tests and start-up diagnostics). */
  get formCount(): number {
    return this.#needles.size;
  }

  register(secret: string): void {
    if (secret.length < MIN_SCRUBBABLE_SECRET_LENGTH) throw new SecretTooShortToScrubError(secret.length);
    const before = this.#needles.size;
    for (const form of textualForms(secret)) this.#needles.add(form.toLowerCase());
    if (this.#needles.size !== before) this.#pattern = buildPattern(this.#needles);
  }

  scrub(text: string): string {
    const pattern = this.#pattern;
    return pattern === null ? text : text.replace(pattern, REDACTED);
  }
}

/** The process-wide scrubber every logger created by `createLogger` uses unless told otherwise. */
export const processSecretScrubber = new SecretScrubber();

/** Registers a live secret value with the process-wide scrubber. Call it as soon as the value exists. */
export function registerSecret(secret: string): void {
  processSecretScrubber.register(secret);
}

/** True when `value` has the shape of a raw private key (it may equally be a hash: callers decide). */
export function looksLikePrivateKey(value: string): boolean {
  return PRIVATE_KEY_SHAPE.test(value);
}

/** Replaces every run of exactly 64 hex digits in `text`, for text that must never carry key material. */
export function maskKeyShapedHex(text: string): string {
  return text.replace(/(?<![0-9a-fA-F])(?:0x)?[0-9a-fA-F]{64}(?![0-9a-fA-F])/g, REDACTED);
}

/** `postgres://user:pw@host/db` → `postgres://user:[REDACTED]@host/db`, for every URL inside `text`. */
export function maskUrlCredentials(text: string): string {
  if (!text.includes("@")) return text; // the common case, without running the pattern
  return text.replace(/([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^:/?#@\s"']*):[^@/?#\s"']*@/g, `$1:${REDACTED}@`);
}

function textualForms(secret: string): string[] {
  const forms = [secret, JSON.stringify(secret).slice(1, -1)];
  if (looksLikePrivateKey(secret)) {
    const bareHex = secret.startsWith("0x") || secret.startsWith("0X") ? secret.slice(2) : secret;
    const bytes = Buffer.from(bareHex, "hex");
    forms.push(bareHex, bytes.toString("base64").replace(/=+$/, ""), bytes.toString("base64url"));
  }
  return forms;
}

function buildPattern(needles: ReadonlySet<string>): RegExp {
  // Longest first so a form that contains another is replaced whole.
  const alternatives = [...needles].sort((a, b) => b.length - a.length).map(escapeRegExp);
  // Only match where the preceding backslashes (if any) are paired: replacing text right after an odd
  // backslash would cut a JSON escape sequence in half and make the line invalid JSON.
  return new RegExp(`(?<=(?:^|[^\\\\])(?:\\\\\\\\)*)(?:${alternatives.join("|")})`, "gi");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
