/**
 * The nonce book on its own: per-signer sets, and that forgetting nonces which left the window (to bound
 * memory) never forgets one that could still be replayed inside it.
 */
import { describe, expect, it } from "vitest";

import { toAddress } from "../../../hotpath/exchange/wire/brands.js";
import { NONCE_WINDOW_PAST_MS, NonceBook } from "./nonces.js";

const SIGNER = toAddress(`0x${"a1".repeat(20)}`);
const T = Date.UTC(2026, 0, 1);

describe("NonceBook", () => {
  it("still refuses every replay inside the window after pruning, and forgets a pruned agent", () => {
    const book = new NonceBook();
    for (let i = 0; i < 1000; i++) expect(book.admit(SIGNER, T + i, T)).toBeUndefined();
    const later = T + NONCE_WINDOW_PAST_MS - 10;
    for (let i = 0; i < 1000; i++) expect(book.admit(SIGNER, later + 1000 + i, later)).toBeUndefined();
    // T + 5 is still inside (later − 2 d, later + 1 d): remembered, whatever was pruned.
    expect(book.admit(SIGNER, T + 5, later)).toBe(`Invalid nonce: duplicate nonce ${T + 5}`);
    expect(book.admit(SIGNER, later + 1500, later)).toBe(`Invalid nonce: duplicate nonce ${later + 1500}`);
    book.forget(SIGNER);
    expect(book.admit(SIGNER, later + 1500, later)).toBeUndefined();
  });
});
