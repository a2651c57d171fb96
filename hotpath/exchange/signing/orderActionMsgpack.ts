/**
 * msgpack of an `order` action, specialised for the shape the executor signs: `{type:"order", orders:[{a,
 * b, p, s, r, t:{limit:{tif}}, c?}…], grouping}` (`wire/actions.ts` `orderAction`, no builder, no trigger).
 *
 * Why: this encode runs once per intent on the tick-to-wire path, and the generic `MsgpackWriter` spends
 * most of its time on what is constant here — an `Object.keys` array per map, re-encoding the same key
 * strings, a type switch and a try/catch per value. This writer emits the key bytes as constants and
 * allocates nothing.
 *
 * It must produce exactly the bytes `MsgpackWriter.writeValue` would (the signature commits to them), so
 * it only writes what it has checked is that shape: plain objects whose own enumerable keys are exactly
 * the expected ones in the expected order (checked with `for…in`, which walks keys in the same order as
 * `Object.keys` and, on a plain object, without allocating), values of the expected types, integers in
 * u32, ASCII strings up to 255 bytes, at most 15 orders. Anything else — a trigger order, a builder fee,
 * an `undefined` optional, a key out of order — returns `NOT_SPECIALISED` and the caller uses the generic
 * writer, which also reports the errors. Proved byte-identical by test/exchange/signing.fastpath.test.ts.
 */

/** Returned when the action is not the shape this writer handles; the output buffer is then garbage. */
export const NOT_SPECIALISED = -1;

const MAX_ORDERS = 15; // one-byte array header
const MAX_STRING_BYTES = 255; // at most a str8 header

/**
 * Upper bound of what `writeOrderActionMsgpack` writes (15 orders of at most 1062 bytes each — 7 keys, a
 * u32 and four 255-byte strings — plus the action's keys and a 255-byte grouping), so callers can size
 * the output once and the writer needs no bounds checks.
 */
export const ORDER_ACTION_MSGPACK_MAX_BYTES = 16_384;

const ORDER_KEYS: readonly string[] = ["a", "b", "p", "s", "r", "t", "c"];
const ACTION_KEYS: readonly string[] = ["type", "orders", "grouping"];
const ORDER_TYPE_KEYS: readonly string[] = ["limit"];
const LIMIT_KEYS: readonly string[] = ["tif"];

/** `{type: "order", orders:` — fixmap(3), "type", "order", "orders". */
const ACTION_PREFIX = asciiMsgpack([0x83], "type", "order", "orders");
/** `"t": {limit: {tif:` — "t", fixmap(1), "limit", fixmap(1), "tif". */
const LIMIT_TIF_KEYS = asciiMsgpack([], "t", [0x81], "limit", [0x81], "tif");
/** The `grouping` key. */
const GROUPING_KEY = asciiMsgpack([], "grouping");

/**
 * Writes msgpack(`action`) into `out` from offset 0 and returns the length, or `NOT_SPECIALISED`.
 * `out` must hold at least `ORDER_ACTION_MSGPACK_MAX_BYTES`.
 */
export function writeOrderActionMsgpack(action: object, out: Uint8Array): number {
  if (!hasKeysInOrder(action, ACTION_KEYS, 3)) return NOT_SPECIALISED;
  const { type, orders, grouping } = action as { type: unknown; orders: unknown; grouping: unknown };
  if (type !== "order" || !Array.isArray(orders)) return NOT_SPECIALISED;
  const count = orders.length;
  if (count > MAX_ORDERS) return NOT_SPECIALISED;
  let p = copyInto(out, 0, ACTION_PREFIX);
  out[p++] = 0x90 | count;
  for (let i = 0; i < count; i++) {
    p = writeOrder(orders[i], out, p);
    if (p < 0) return NOT_SPECIALISED;
  }
  p = copyInto(out, p, GROUPING_KEY);
  return writeAscii(grouping, out, p);
}

/** One order at `p`; returns the new position or `NOT_SPECIALISED`. */
function writeOrder(order: unknown, out: Uint8Array, start: number): number {
  if (typeof order !== "object" || order === null) return NOT_SPECIALISED;
  const keyCount = countKeysInOrder(order, ORDER_KEYS);
  if (keyCount < 6) return NOT_SPECIALISED; // a key missing or out of order (`c` is the only optional)
  const { a, b, p: price, s: size, r, t, c } = order as Record<string, unknown>;
  if (typeof a !== "number" || !(a >= 0 && a <= 0xffff_ffff) || !Number.isInteger(a)) return NOT_SPECIALISED;
  if (typeof b !== "boolean" || typeof r !== "boolean") return NOT_SPECIALISED;
  let p = start;
  out[p++] = 0x80 | keyCount;
  out[p++] = 0xa1; // "a"
  out[p++] = 0x61;
  if (a < 0x80) {
    out[p++] = a;
  } else if (a <= 0xff) {
    out[p++] = 0xcc;
    out[p++] = a;
  } else if (a <= 0xffff) {
    out[p++] = 0xcd;
    out[p++] = a >>> 8;
    out[p++] = a;
  } else {
    out[p++] = 0xce;
    out[p++] = a >>> 24;
    out[p++] = a >>> 16;
    out[p++] = a >>> 8;
    out[p++] = a;
  }
  out[p++] = 0xa1; // "b"
  out[p++] = 0x62;
  out[p++] = b ? 0xc3 : 0xc2;
  out[p++] = 0xa1; // "p"
  out[p++] = 0x70;
  p = writeAscii(price, out, p);
  if (p < 0) return NOT_SPECIALISED;
  out[p++] = 0xa1; // "s"
  out[p++] = 0x73;
  p = writeAscii(size, out, p);
  if (p < 0) return NOT_SPECIALISED;
  out[p++] = 0xa1; // "r"
  out[p++] = 0x72;
  out[p++] = r ? 0xc3 : 0xc2;
  if (typeof t !== "object" || t === null || !hasKeysInOrder(t, ORDER_TYPE_KEYS, 1)) return NOT_SPECIALISED;
  const limit = (t as { limit: unknown }).limit;
  if (typeof limit !== "object" || limit === null || !hasKeysInOrder(limit, LIMIT_KEYS, 1)) {
    return NOT_SPECIALISED;
  }
  p = copyInto(out, p, LIMIT_TIF_KEYS);
  p = writeAscii((limit as { tif: unknown }).tif, out, p);
  if (p < 0 || keyCount === 6) return p;
  out[p++] = 0xa1; // "c"
  out[p++] = 0x63;
  return writeAscii(c, out, p);
}

/**
 * How many leading keys of `expected` `value` has, in that order, if those are all its own enumerable
 * keys and it is a plain object (what the generic writer accepts); 0 otherwise.
 */
function countKeysInOrder(value: object, expected: readonly string[]): number {
  if (Object.getPrototypeOf(value) !== Object.prototype) return 0;
  let n = 0;
  // for…in also walks inherited enumerable keys; with Object.prototype as the prototype there are none
  // unless someone added one, in which case the names do not match and we bail.
  for (const key in value) {
    if (key !== expected[n]) return 0;
    n++;
  }
  return n;
}

function hasKeysInOrder(value: object, expected: readonly string[], count: number): boolean {
  return countKeysInOrder(value, expected) === count;
}

/** `value` as a msgpack str (fixstr or str8) if it is an ASCII string of ≤ 255 bytes, else bails. */
function writeAscii(value: unknown, out: Uint8Array, start: number): number {
  if (typeof value !== "string" || start < 0) return NOT_SPECIALISED;
  const length = value.length;
  if (length > MAX_STRING_BYTES) return NOT_SPECIALISED;
  let p = start;
  if (length <= 31) {
    out[p++] = 0xa0 | length;
  } else {
    out[p++] = 0xd9;
    out[p++] = length;
  }
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x80) return NOT_SPECIALISED; // UTF-8 (or a lone surrogate): the generic writer's job
    out[p++] = code;
  }
  return p;
}

function copyInto(out: Uint8Array, start: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) out[start + i] = bytes[i]!;
  return start + bytes.length;
}

/** Raw header bytes and fixstr-encoded ASCII strings, concatenated (module-load only). */
function asciiMsgpack(...parts: (readonly number[] | string)[]): Uint8Array {
  const bytes: number[] = [];
  for (const part of parts) {
    if (typeof part === "string") {
      bytes.push(0xa0 | part.length);
      for (let i = 0; i < part.length; i++) bytes.push(part.charCodeAt(i));
    } else {
      bytes.push(...part);
    }
  }
  return Uint8Array.from(bytes);
}
