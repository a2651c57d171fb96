/**
 * The WS `post` of a signed action (PROTOCOL §2.11),
 * `{"method":"post","id":<id>,"request":{"type":"action","payload":<payloadJson>}}`, written as bytes
 * straight into the order socket's frame buffer (`WsConnection.sendComposed`).
 *
 * Why not a template string and `Buffer.from`: the template makes a rope of the envelope and the ~0.5 KB
 * payload, `Buffer.from` flattens it into a new string and copies that into a new buffer, and the frame
 * writer copies it once more. Here the envelope's constant parts are copied from bytes encoded once, the id's
 * digits are written in place, and the payload is encoded once, into the frame.
 *
 * One instance per connection, reused: set `id` and `payloadJson`, hand it to `sendComposed`.
 */

const HEAD = Buffer.from('{"method":"post","id":', "latin1");
const MIDDLE = Buffer.from(',"request":{"type":"action","payload":', "latin1");
const TAIL = Buffer.from("}}", "latin1");
/** Digits of the largest safe integer. */
const MAX_ID_DIGITS = 16;
/** UTF-8 needs at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_BYTES_PER_UNIT = 3;

export class ActionPostText {
  /** The post id, a non-negative safe integer. */
  id = 0;
  /** The signed request, serialised (`SignedAction.payloadJson`). */
  payloadJson = "";

  /** An upper bound of the bytes `writeTo` writes. */
  maxBytes(): number {
    return (
      HEAD.length +
      MAX_ID_DIGITS +
      MIDDLE.length +
      MAX_UTF8_BYTES_PER_UNIT * this.payloadJson.length +
      TAIL.length
    );
  }

  /** Writes the post's UTF-8 bytes at `target[offset…]` (room for `maxBytes()` assumed); returns the end. */
  writeTo(target: Buffer, offset: number): number {
    target.set(HEAD, offset);
    let at = writeDecimalDigits(target, offset + HEAD.length, this.id);
    target.set(MIDDLE, at);
    at += MIDDLE.length;
    at += target.write(this.payloadJson, at, "utf8");
    target.set(TAIL, at);
    return at + TAIL.length;
  }
}

/** `String(value)` of a non-negative safe integer, as ASCII digits at `target[at…]`; returns the end. */
function writeDecimalDigits(target: Buffer, at: number, value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits += 1;
  let rest = value;
  for (let i = at + digits - 1; i >= at; i--) {
    target[i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}
