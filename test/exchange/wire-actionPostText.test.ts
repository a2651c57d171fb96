/**
 * `ActionPostText` writes the bytes of the template the order channel used to send,
 * `{"method":"post","id":${id},"request":{"type":"action","payload":${payloadJson}}}` in UTF-8: over random
 * ids (every digit count up to the largest safe integer) and payloads (any Unicode, not only the ASCII of a
 * signed request), at any offset, within `maxBytes()`, without touching a byte outside what it reports.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { ActionPostText } from "../../hotpath/exchange/wire/actionPostText.js";

function template(id: number, payloadJson: string): Buffer {
  return Buffer.from(
    `{"method":"post","id":${id},"request":{"type":"action","payload":${payloadJson}}}`,
    "utf8",
  );
}

/** `post`'s bytes as written into a buffer pre-filled with 0xee, and that the rest stayed untouched. */
function written(post: ActionPostText, offset: number): Buffer {
  const target = Buffer.alloc(offset + post.maxBytes() + 8, 0xee);
  const end = post.writeTo(target, offset);
  expect(end - offset).toBeLessThanOrEqual(post.maxBytes());
  expect(target.subarray(0, offset).every((byte) => byte === 0xee)).toBe(true);
  expect(target.subarray(end).every((byte) => byte === 0xee)).toBe(true);
  return target.subarray(offset, end);
}

describe("ActionPostText", () => {
  it("writes the template's bytes for any id and payload", () => {
    const post = new ActionPostText();
    fc.assert(
      fc.property(
        fc.oneof(fc.nat({ max: 20 }), fc.nat(), fc.maxSafeNat()),
        fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.json()),
        fc.nat({ max: 64 }),
        (id, payloadJson, offset) => {
          post.id = id;
          post.payloadJson = payloadJson;
          expect(written(post, offset).equals(template(id, payloadJson))).toBe(true);
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it.each([
    [0, "{}"],
    [9, '{"a":1}'],
    [10, "null"],
    [99, "[]"],
    [100, '"é€𝄞"'],
    [1234567, '{"action":{"type":"order"},"nonce":1764743000123}'],
    [Number.MAX_SAFE_INTEGER, ""],
  ])("writes post %d with payload %s exactly", (id, payloadJson) => {
    const post = new ActionPostText();
    post.id = id;
    post.payloadJson = payloadJson;
    const text = written(post, 3).toString("utf8");
    expect(text).toBe(`{"method":"post","id":${id},"request":{"type":"action","payload":${payloadJson}}}`);
  });
});
