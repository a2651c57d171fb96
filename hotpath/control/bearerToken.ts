/**
 * The control API's bearer-token check (RFC 6750 `Authorization: Bearer <token>`).
 *
 * Both sides are reduced to SHA-256 digests and compared with `crypto.timingSafeEqual`: equal-length inputs,
 * so the comparison takes the same time whatever the presented token is, and neither its length nor a
 * matching prefix shows in the response time. The configured token lives only inside its `Secret` and as
 * this digest; the presented one is never stored or logged (a near miss is most of the real token).
 */

import { createHash, timingSafeEqual } from "node:crypto";

import type { Secret } from "../config/secret.js";

/** A control token must be at least this long; `openssl rand -hex 32` makes a good one. */
export const MIN_CONTROL_TOKEN_LENGTH = 16;

/** Why a request was not authorized, as the 401 body and the log say it. */
export type BearerRejection = "missing" | "malformed" | "wrong";

export type BearerCheck = "ok" | BearerRejection;

/** The configured token cannot guard the API (too short, or not sendable in a header). Start-up stops. */
export class ControlTokenUnusableError extends Error {
  override readonly name = "ControlTokenUnusableError";
  constructor(
    /** Where the token came from, e.g. `env HLB_CONTROL_TOKEN` (never the value). */
    readonly source: string,
    readonly reason: string,
  ) {
    super(`the control token from ${source} is unusable: ${reason} (make one with: openssl rand -hex 32)`);
  }
}

/** Printable ASCII without spaces: what a client can put in a header unchanged. */
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;
// RFC 7235: the scheme is case-insensitive and followed by one or more spaces.
const BEARER = /^Bearer +(\S+) *$/i;

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

export class BearerToken {
  readonly #digest: Buffer;

  constructor(token: Secret) {
    const value = token.reveal();
    if (value.length < MIN_CONTROL_TOKEN_LENGTH) {
      throw new ControlTokenUnusableError(
        token.description,
        `${value.length} characters, at least ${MIN_CONTROL_TOKEN_LENGTH} required`,
      );
    }
    if (!TOKEN_CHARACTERS.test(value)) {
      throw new ControlTokenUnusableError(
        token.description,
        "only printable ASCII without spaces is allowed",
      );
    }
    this.#digest = digest(value);
  }

  /** `authorization`: the header's value, "" when absent (what uWS `getHeader` returns). */
  check(authorization: string): BearerCheck {
    if (authorization === "") return "missing";
    const presented = BEARER.exec(authorization)?.[1];
    if (presented === undefined) return "malformed";
    return timingSafeEqual(digest(presented), this.#digest) ? "ok" : "wrong";
  }
}
