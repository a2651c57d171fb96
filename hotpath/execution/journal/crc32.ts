/**
 * CRC-32 (IEEE 802.3, the one zlib and `cksum -a crc32b` compute) of a record line's UTF-8 bytes.
 *
 * `crc32Bytes` checksums bytes already encoded (the order path: `LineEncoder` has just written the record
 * into its buffer); `crc32Text` a string (recovery checking a line it read back, `encodeRecord`). Both use
 * zlib's native, table-sliced `crc32` (Node ≥ 20.15 / 22.2). `crc32OfBytes` and `crc32Utf8` are the same
 * function in plain JS — `crc32Utf8` from the string's code units (lone surrogates count as U+FFFD, as
 * `Buffer.from(text, "utf8")` writes them): the fallbacks where zlib lacks `crc32`, and independent checks
 * of it in the tests.
 */

import * as zlib from "node:zlib";

const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

function step(crc: number, byte: number): number {
  return (TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
}

/** The unsigned CRC-32 of `text` encoded as UTF-8, computed in JS. */
export function crc32Utf8(text: string): number {
  let crc = -1;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    let code = text.charCodeAt(index);
    if (code < 0x80) {
      crc = step(crc, code);
      continue;
    }
    if (code < 0x800) {
      crc = step(crc, 0xc0 | (code >> 6));
      crc = step(crc, 0x80 | (code & 0x3f));
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = index + 1 < length ? text.charCodeAt(index + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        index += 1;
        crc = step(crc, 0xf0 | (code >> 18));
        crc = step(crc, 0x80 | ((code >> 12) & 0x3f));
        crc = step(crc, 0x80 | ((code >> 6) & 0x3f));
        crc = step(crc, 0x80 | (code & 0x3f));
        continue;
      }
      code = 0xfffd;
    }
    crc = step(crc, 0xe0 | (code >> 12));
    crc = step(crc, 0x80 | ((code >> 6) & 0x3f));
    crc = step(crc, 0x80 | (code & 0x3f));
  }
  return (crc ^ -1) >>> 0;
}

/** The unsigned CRC-32 of `bytes[0, length)`, computed in JS. */
export function crc32OfBytes(bytes: Uint8Array, length: number): number {
  let crc = -1;
  for (let index = 0; index < length; index++) crc = step(crc, bytes[index] as number);
  return (crc ^ -1) >>> 0;
}

const nativeCrc32 = (zlib as { crc32?: (data: string | Uint8Array) => number }).crc32;

/** The unsigned CRC-32 of `text` encoded as UTF-8 (native when available). */
export const crc32Text: (text: string) => number =
  typeof nativeCrc32 === "function" ? (text) => nativeCrc32(text) : crc32Utf8;

/**
 * The unsigned CRC-32 of `buffer[0, length)` (native when available): for bytes already encoded, where
 * `crc32Text` would encode the string a second time.
 */
export const crc32Bytes: (buffer: Buffer, length: number) => number =
  typeof nativeCrc32 === "function"
    ? (buffer, length) => nativeCrc32(buffer.subarray(0, length))
    : crc32OfBytes;

/** The CRC as 8 lower-case hex digits. */
export function crc32Hex(text: string): string {
  return crc32Text(text).toString(16).padStart(8, "0");
}
