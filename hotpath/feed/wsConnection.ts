/**
 * The feed's WebSocket client connection (RFC 6455, client side, no extensions): what `FeedClient` runs on.
 *
 * Why our own instead of `ws@8` (the fastest library client here, STACK.md): on the simulator's stress
 * stream `ws` costs ≈1.3–1.5 µs of CPU per 1.5 KB message before our code runs, and allocates per message
 * (a `Buffer` view per frame, a fresh 64 KiB `Buffer` per socket read, two event emissions) — the garbage
 * that made the hot path's young generation, and so its RSS, grow. This connection reads with the socket's
 * `onread` option into one preallocated buffer (no stream machinery, no per-read allocation; `tls.connect`
 * supports it too), parses frames in place and hands each complete text message to the handler as a range
 * of that buffer: ≈0.75 µs per message measured the same way (`docs/benchmarks.md`, "Feed"), nothing
 * allocated. Only a message split across two reads is copied (into a second preallocated buffer).
 *
 * The handler's range `bytes[start, end)` is valid only during the call. `bytes[end]` is never part of the
 * message: it is past the buffer's end or temporarily set to 0 during the call (restored after), so a
 * parser that reads sequentially fails at the end of a truncated message instead of reading into the next
 * one — the same guarantee as a `Buffer` view ending there, without allocating the view.
 *
 * Protocol: the opening handshake is checked (101, `Upgrade: websocket`, `Sec-WebSocket-Accept`); server
 * frames must be unmasked and without RSV bits (no extension is negotiated); text and binary messages may be
 * fragmented; pings are answered with pongs; a close frame is answered and ends the connection; a message
 * above `maxMessageBytes`, a malformed frame or a failed handshake closes the socket with a typed error.
 * Sent frames are masked with keys from `crypto.randomFillSync`, as the RFC requires of clients. The order
 * path's posts use `sendComposed`: the message is written straight into a reusable, aligned frame buffer and
 * masked in place a 32-bit word at a time; a buffer the socket may still hold is never reused.
 */

import { createHash, randomBytes, randomFillSync } from "node:crypto";
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls, type ConnectionOptions } from "node:tls";

const HANDSHAKE_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const OPCODE_CONTINUATION = 0x0;
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;
const MAX_HANDSHAKE_BYTES = 16 * 1024;
const MAX_CONTROL_PAYLOAD = 125;

/** Why a connection failed; `close` follows every error. */
export class WsConnectionError extends Error {
  override readonly name = "WsConnectionError";
  constructor(
    readonly kind: "handshake" | "protocol" | "tooLarge" | "socket",
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface WsConnectionHandlers {
  /** The handshake succeeded; `send` may be called. */
  open(): void;
  /** A complete text message in `bytes[start, end)`, valid during the call only (see the module comment). */
  text(bytes: Buffer, start: number, end: number): void;
  /** A complete binary message (the exchange sends none). */
  binary(bytes: Buffer, start: number, end: number): void;
  /** Called once, before `close`, when the connection fails. */
  error(error: WsConnectionError): void;
  /** Called exactly once per connection, however it ended; 1006 = no close frame was received. */
  close(code: number, reason: string): void;
}

/**
 * A text message that writes its own UTF-8 bytes straight into the connection's frame buffer
 * (`WsConnection.sendComposed`), so that no string is concatenated or encoded into a buffer of its own first.
 */
export interface ComposedText {
  /** An upper bound of the bytes `writeTo` writes. */
  maxBytes(): number;
  /** Writes the message at `target[offset…]` (room for `maxBytes()` is there); returns the offset after it. */
  writeTo(target: Buffer, offset: number): number;
}

export interface WsConnectionOptions {
  /** Largest message accepted (after reassembly of fragments). */
  readonly maxMessageBytes: number;
  readonly handshakeTimeoutMs: number;
  /** The socket read buffer (one read fills at most this much). Default 64 KiB. */
  readonly readBufferBytes?: number;
  /** Extra TLS options for `wss:` (tests pass a private CA); production uses the system's CAs. */
  readonly tls?: Pick<ConnectionOptions, "ca" | "rejectUnauthorized">;
}

type Phase = "handshake" | "open" | "closing" | "closed";

export class WsConnection {
  private readonly socket: Socket;
  private phase: Phase = "handshake";
  private readonly key = randomBytes(16).toString("base64");
  private readonly maxMessageBytes: number;
  /** Bytes of a frame (or of the handshake response) that began in an earlier read. */
  private carry: Buffer;
  private carryLength = 0;
  /** A fragmented message being reassembled. */
  private fragments: Buffer;
  private fragmentsLength = 0;
  /** Opcode of the message being reassembled, or -1. */
  private fragmentOpcode = -1;
  private readonly handshakeTimer: NodeJS.Timeout;
  private closeCode = 1006;
  private closeReason = "";
  private closeReported = false;
  /** Random mask keys, refilled 1 KiB at a time; `maskWords` views them as 32-bit words. */
  private masks = Buffer.alloc(0);
  private maskWords = new Int32Array(0);
  private maskOffset = 0;
  /** Reusable frame buffers of `sendComposed` (at most `FRAME_BUFFER_SLOTS`, created on first use). */
  private readonly frameBuffers: FrameBuffer[] = [];
  /** Composed frames handed to the socket, and how many of their write callbacks have run. */
  private composedWrites = 0;
  private composedWritesDone = 0;
  private readonly composedWritten = (): void => {
    this.composedWritesDone += 1;
  };

  constructor(
    readonly url: string,
    private readonly handlers: WsConnectionHandlers,
    options: WsConnectionOptions,
  ) {
    const target = new URL(url);
    if (target.protocol !== "ws:" && target.protocol !== "wss:") {
      throw new RangeError(`feed URL must be ws: or wss:, got ${url}`);
    }
    this.maxMessageBytes = options.maxMessageBytes;
    // A frame header is at most 10 bytes from a server; +1 for the sentinel byte after a message.
    this.carry = Buffer.allocUnsafe(Math.min(options.maxMessageBytes, 64 * 1024) + 16);
    this.fragments = Buffer.allocUnsafe(Math.min(options.maxMessageBytes, 64 * 1024) + 1);
    const readBuffer = Buffer.allocUnsafe(options.readBufferBytes ?? 64 * 1024);
    const onread = {
      buffer: readBuffer,
      callback: (bytesRead: number, buffer: Uint8Array): boolean => {
        this.received(buffer as Buffer, bytesRead);
        return true;
      },
    };
    const secure = target.protocol === "wss:";
    const host = target.hostname.replace(/^\[|\]$/g, "");
    const port = Number(target.port || (secure ? 443 : 80));
    const path = `${target.pathname || "/"}${target.search}`;
    const request =
      `GET ${path} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${this.key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    // `onread` is documented for `tls.connect` (dialed sockets) but missing from @types/node's TLS options.
    const tlsOptions: ConnectionOptions & { onread: typeof onread } = {
      host,
      port,
      servername: host,
      onread,
      ALPNProtocols: ["http/1.1"],
      ...options.tls,
    };
    const socket = secure ? connectTls(tlsOptions) : connectTcp({ host, port, onread });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.once(secure ? "secureConnect" : "connect", () => socket.write(request));
    socket.on("error", (error: Error) => this.fail("socket", error.message, error));
    socket.on("close", () => this.closed());
    this.handshakeTimer = setTimeout(
      () => this.fail("handshake", `no WebSocket handshake within ${options.handshakeTimeoutMs} ms`),
      options.handshakeTimeoutMs,
    );
  }

  get isOpen(): boolean {
    return this.phase === "open";
  }

  /** Sends one text message (masked). Ignored unless open. */
  send(text: string): void {
    if (this.phase !== "open") return;
    this.writeFrame(OPCODE_TEXT, Buffer.from(text, "utf8"));
  }

  /**
   * Sends one text message that `message` writes straight into a reusable frame buffer, masked in place:
   * the order path's posts, without a message buffer, a frame buffer and a copy per send. Ignored unless
   * open. The bytes on the wire are those `send` would write for the same text (other mask key).
   *
   * A buffer handed to `socket.write` is the socket's until that write completes: when the kernel does not
   * take it all at once (or on TLS, whose writes complete after the encrypted bytes are flushed) Node
   * queues a reference to it. So a frame buffer is reused only once its last write completed — at once
   * (`writableLength` 0 after the call: plain TCP, nothing queued) or when its write callback ran (callbacks
   * run in write order) — and a message finding every slot still in flight gets a buffer of its own.
   */
  sendComposed(message: ComposedText): void {
    if (this.phase !== "open") return;
    const frame = this.freeFrameBuffer(COMPOSED_PAYLOAD_AT + message.maxBytes() + 3);
    const bytes = frame.bytes;
    const end = message.writeTo(bytes, COMPOSED_PAYLOAD_AT);
    const length = end - COMPOSED_PAYLOAD_AT;
    // The header ends where the mask key starts, 4 bytes before the payload: its start depends on the length.
    let start: number;
    if (length < 126) {
      start = COMPOSED_PAYLOAD_AT - 6;
      bytes[start + 1] = 0x80 | length;
    } else if (length < 65_536) {
      start = COMPOSED_PAYLOAD_AT - 8;
      bytes[start + 1] = 0x80 | 126;
      bytes[start + 2] = length >>> 8;
      bytes[start + 3] = length & 0xff;
    } else {
      start = COMPOSED_PAYLOAD_AT - 14;
      bytes[start + 1] = 0x80 | 127;
      bytes.writeUInt32BE(Math.floor(length / 2 ** 32), start + 2);
      bytes.writeUInt32BE(length >>> 0, start + 6);
    }
    bytes[start] = 0x80 | OPCODE_TEXT;
    // Mask key and payload are 32-bit aligned: the key as one word, XORed over whole words. The last word may
    // run up to 3 bytes past the payload, into room reserved for it; those bytes are never sent.
    const words = frame.words;
    const maskAt = this.nextMask(); // first: it may replace `maskWords`
    const mask = this.maskWords[maskAt >>> 2]!;
    words[MASK_WORD_INDEX] = mask;
    const lastWord = (end + 3) >>> 2;
    for (let i = COMPOSED_PAYLOAD_AT >>> 2; i < lastWord; i++) words[i]! ^= mask;
    const write = ++this.composedWrites;
    this.socket.write(bytes.subarray(start, end), this.composedWritten);
    frame.inFlightUntil = this.socket.writableLength === 0 ? 0 : write;
  }

  /** Starts the closing handshake; the socket is destroyed if the server does not answer promptly. */
  close(code = 1000, reason = ""): void {
    if (this.phase !== "open") {
      this.terminate();
      return;
    }
    const payload = Buffer.allocUnsafe(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.writeFrame(OPCODE_CLOSE, payload);
    this.phase = "closing";
    this.socket.end();
    setTimeout(() => this.terminate(), 1_000).unref();
  }

  /** Destroys the socket at once; `close` (1006 unless a close frame arrived) follows. */
  terminate(): void {
    this.socket.destroy();
  }

  private fail(kind: WsConnectionError["kind"], message: string, cause?: Error): void {
    if (this.phase === "closed") return;
    const error = new WsConnectionError(kind, `${this.url}: ${message}`, { cause });
    if (kind === "protocol" || kind === "tooLarge") {
      this.closeCode = kind === "tooLarge" ? 1009 : 1002;
      this.closeReason = message;
    }
    this.phase = "closed";
    this.handlers.error(error);
    this.socket.destroy();
  }

  private closed(): void {
    clearTimeout(this.handshakeTimer);
    this.phase = "closed";
    if (this.closeReported) return;
    this.closeReported = true;
    this.handlers.close(this.closeCode, this.closeReason);
  }

  // ---------------------------------------------------------------------------------------------------
  // Receiving

  private received(chunk: Buffer, length: number): void {
    if (this.phase === "closed") return;
    let offset = 0;
    if (this.phase === "handshake") {
      offset = this.handshake(chunk, length);
      if (offset < 0) return;
    }
    // Finish a frame that began in an earlier read: copy only that frame's missing bytes.
    while (this.carryLength > 0 && offset < length) {
      const carry = this.carry;
      let needed = frameLength(carry, 0, this.carryLength);
      if (needed === NEED_MORE) {
        needed = this.carryLength < 2 ? 2 : headerLength(carry[1]!);
      } else if (needed < 0) {
        this.protocolError(needed);
        return;
      }
      if (needed - 2 > this.maxMessageBytes + 14) {
        this.fail("tooLarge", `frame of ${needed} bytes exceeds ${this.maxMessageBytes}`);
        return;
      }
      this.ensureCarry(needed + 1);
      const take = Math.min(needed - this.carryLength, length - offset);
      chunk.copy(this.carry, this.carryLength, offset, offset + take);
      this.carryLength += take;
      offset += take;
      if (this.carryLength === needed && frameLength(this.carry, 0, needed) === needed) {
        this.carryLength = 0;
        if (!this.frame(this.carry, 0, needed)) return;
      }
    }
    // Whole frames in place.
    while (offset < length) {
      const size = frameLength(chunk, offset, length);
      if (size === NEED_MORE) break;
      if (size < 0) {
        this.protocolError(size);
        return;
      }
      if (offset + size > length) {
        if (size - 14 > this.maxMessageBytes) {
          this.fail("tooLarge", `frame of ${size} bytes exceeds ${this.maxMessageBytes}`);
          return;
        }
        break;
      }
      if (!this.frame(chunk, offset, offset + size)) return;
      offset += size;
    }
    if (offset < length) {
      this.ensureCarry(length - offset + 1);
      chunk.copy(this.carry, 0, offset, length);
      this.carryLength = length - offset;
    }
  }

  /** Reads the handshake response; returns the offset of the first frame byte in `chunk`, or -1. */
  private handshake(chunk: Buffer, length: number): number {
    const previous = this.carryLength;
    this.ensureCarry(previous + length);
    chunk.copy(this.carry, previous, 0, length);
    this.carryLength += length;
    const headerEnd = this.carry.subarray(0, this.carryLength).indexOf("\r\n\r\n", 0, "latin1");
    if (headerEnd < 0) {
      if (this.carryLength > MAX_HANDSHAKE_BYTES) this.fail("handshake", "handshake response too long");
      return -1;
    }
    const head = this.carry.toString("latin1", 0, headerEnd);
    const problem = handshakeProblem(head, this.key);
    if (problem !== undefined) {
      this.fail("handshake", problem);
      return -1;
    }
    clearTimeout(this.handshakeTimer);
    this.carryLength = 0;
    this.phase = "open";
    this.handlers.open();
    // Frame bytes that came with the response: they are in this chunk, after the header.
    const consumedFromChunk = headerEnd + 4 - previous;
    return this.phase === "open" ? consumedFromChunk : -1;
  }

  /** One complete frame in `bytes[start, end)`; false when the connection ended because of it. */
  private frame(bytes: Buffer, start: number, end: number): boolean {
    const first = bytes[start]!;
    const fin = (first & 0x80) !== 0;
    const opcode = first & 0x0f;
    const payloadStart = start + headerLength(bytes[start + 1]!);
    if (opcode >= OPCODE_CLOSE) return this.control(opcode, fin, bytes, payloadStart, end);
    if (opcode === OPCODE_CONTINUATION) {
      if (this.fragmentOpcode < 0) return this.protocolFailure("continuation frame without a message");
      if (!this.appendFragment(bytes, payloadStart, end)) return false;
      if (!fin) return true;
      const opcodeOfMessage = this.fragmentOpcode;
      this.fragmentOpcode = -1;
      const total = this.fragmentsLength;
      this.fragmentsLength = 0;
      this.deliver(opcodeOfMessage, this.fragments, 0, total);
      return this.phase === "open";
    }
    if (opcode !== OPCODE_TEXT && opcode !== OPCODE_BINARY) {
      return this.protocolFailure(`reserved opcode ${opcode}`);
    }
    if (this.fragmentOpcode >= 0) return this.protocolFailure("new message inside a fragmented one");
    if (!fin) {
      this.fragmentOpcode = opcode;
      this.fragmentsLength = 0;
      return this.appendFragment(bytes, payloadStart, end);
    }
    if (end - payloadStart > this.maxMessageBytes) {
      this.fail("tooLarge", `message of ${end - payloadStart} bytes exceeds ${this.maxMessageBytes}`);
      return false;
    }
    this.deliver(opcode, bytes, payloadStart, end);
    return this.phase === "open" || this.phase === "closing";
  }

  private deliver(opcode: number, bytes: Buffer, start: number, end: number): void {
    // The sentinel: see the module comment. `end < length` always holds for the carry and fragment
    // buffers (allocated one byte longer than any message they hold).
    const inside = end < bytes.length;
    const saved = inside ? bytes[end]! : 0;
    if (inside) bytes[end] = 0;
    try {
      if (opcode === OPCODE_TEXT) this.handlers.text(bytes, start, end);
      else this.handlers.binary(bytes, start, end);
    } finally {
      if (inside) bytes[end] = saved;
    }
  }

  private appendFragment(bytes: Buffer, start: number, end: number): boolean {
    const total = this.fragmentsLength + (end - start);
    if (total > this.maxMessageBytes) {
      this.fail("tooLarge", `fragmented message exceeds ${this.maxMessageBytes} bytes`);
      return false;
    }
    if (total + 1 > this.fragments.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxMessageBytes, total * 2) + 1);
      this.fragments.copy(grown, 0, 0, this.fragmentsLength);
      this.fragments = grown;
    }
    bytes.copy(this.fragments, this.fragmentsLength, start, end);
    this.fragmentsLength = total;
    return true;
  }

  private control(opcode: number, fin: boolean, bytes: Buffer, start: number, end: number): boolean {
    if (!fin || end - start > MAX_CONTROL_PAYLOAD) {
      return this.protocolFailure("fragmented or oversized control frame");
    }
    if (opcode === OPCODE_PING) {
      if (this.phase === "open") this.writeFrame(OPCODE_PONG, Buffer.from(bytes.subarray(start, end)));
      return true;
    }
    if (opcode === OPCODE_PONG) return true;
    if (opcode !== OPCODE_CLOSE) return this.protocolFailure(`reserved control opcode ${opcode}`);
    const code = end - start >= 2 ? bytes.readUInt16BE(start) : 1005;
    this.closeCode = code;
    this.closeReason = end - start > 2 ? bytes.toString("utf8", start + 2, end) : "";
    if (this.phase === "open") {
      const echo = Buffer.allocUnsafe(2);
      echo.writeUInt16BE(code === 1005 ? 1000 : code, 0);
      this.writeFrame(OPCODE_CLOSE, echo);
    }
    this.phase = "closing";
    this.socket.end();
    return false;
  }

  private protocolError(code: number): void {
    this.protocolFailure(
      code === MASKED ? "server frame is masked" : code === RSV ? "RSV bits set" : "unsupported frame length",
    );
  }

  private protocolFailure(message: string): false {
    this.fail("protocol", message);
    return false;
  }

  private ensureCarry(bytes: number): void {
    if (bytes <= this.carry.length) return;
    const grown = Buffer.allocUnsafe(Math.max(bytes, this.carry.length * 2));
    this.carry.copy(grown, 0, 0, this.carryLength);
    this.carry = grown;
  }

  // ---------------------------------------------------------------------------------------------------
  // Sending

  private writeFrame(opcode: number, payload: Buffer): void {
    const length = payload.length;
    const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(header + 4 + length);
    frame[0] = 0x80 | opcode;
    if (header === 2) {
      frame[1] = 0x80 | length;
    } else if (header === 4) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
      frame.writeUInt32BE(length >>> 0, 6);
    }
    const mask = this.nextMask();
    const maskAt = header;
    frame[maskAt] = this.masks[mask]!;
    frame[maskAt + 1] = this.masks[mask + 1]!;
    frame[maskAt + 2] = this.masks[mask + 2]!;
    frame[maskAt + 3] = this.masks[mask + 3]!;
    const payloadAt = header + 4;
    for (let i = 0; i < length; i++) frame[payloadAt + i] = payload[i]! ^ frame[maskAt + (i & 3)]!;
    this.socket.write(frame);
  }

  /** A free frame buffer of `sendComposed` with room for `capacity` bytes. */
  private freeFrameBuffer(capacity: number): FrameBuffer {
    const slots = this.frameBuffers;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (slot.inFlightUntil > this.composedWritesDone) continue;
      if (slot.bytes.length >= capacity) return slot;
      const grown = new FrameBuffer(capacity);
      slots[i] = grown;
      return grown;
    }
    const fresh = new FrameBuffer(Math.max(capacity, FRAME_BUFFER_BYTES));
    // Every slot in flight: this buffer serves this message only, and stays the socket's until written.
    if (slots.length < FRAME_BUFFER_SLOTS) slots.push(fresh);
    return fresh;
  }

  /** Offset of 4 fresh random bytes in `masks` (a multiple of 4; refilled 1 KiB at a time). */
  private nextMask(): number {
    if (this.maskOffset + 4 > this.masks.length) {
      if (this.masks.length === 0) {
        // Its own allocation, not a pool slice: the word view needs a 4-aligned start.
        this.masks = Buffer.allocUnsafeSlow(1024);
        this.maskWords = new Int32Array(this.masks.buffer, this.masks.byteOffset, 256);
      }
      randomFillSync(this.masks);
      this.maskOffset = 0;
    }
    const offset = this.maskOffset;
    this.maskOffset += 4;
    return offset;
  }
}

/**
 * Where a composed message's payload starts in its frame buffer: after room for the longest client header
 * (2 + 8 length bytes + the 4-byte mask key), rounded up to a multiple of 4 so that the mask key and the
 * payload are 32-bit aligned.
 */
const COMPOSED_PAYLOAD_AT = 16;
const MASK_WORD_INDEX = (COMPOSED_PAYLOAD_AT - 4) >>> 2;
/** Large enough for a post of several orders; a larger message grows its slot. */
const FRAME_BUFFER_BYTES = 4096;
/** Two: the legs of an intent sent as two actions are written in the same tick, before either completes. */
const FRAME_BUFFER_SLOTS = 2;

/** One reusable frame buffer of `sendComposed`, with a 32-bit view for masking. */
class FrameBuffer {
  readonly bytes: Buffer;
  readonly words: Int32Array;
  /** The composed write that last used it, while that write may not have completed; 0 when it has. */
  inFlightUntil = 0;

  constructor(capacity: number) {
    // Its own allocation (not a pool slice): aligned, and never shared with other buffers.
    this.bytes = Buffer.allocUnsafeSlow((capacity + 3) & ~3);
    this.words = new Int32Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length >>> 2);
  }
}

const NEED_MORE = -1;
const MASKED = -2;
const RSV = -3;
const TOO_LONG = -4;

/** Header bytes of a server (unmasked) frame, from its second byte. */
function headerLength(second: number): number {
  const length = second & 0x7f;
  return length < 126 ? 2 : length === 126 ? 4 : 10;
}

/**
 * The total size of the frame starting at `start` (header + payload), `NEED_MORE` when its header is not
 * complete in `[start, end)`, or a negative code for a frame we refuse.
 */
function frameLength(bytes: Buffer, start: number, end: number): number {
  if (end - start < 2) return NEED_MORE;
  const first = bytes[start]!;
  const second = bytes[start + 1]!;
  if ((first & 0x70) !== 0) return RSV;
  if ((second & 0x80) !== 0) return MASKED;
  const length = second & 0x7f;
  if (length < 126) return 2 + length;
  if (length === 126) {
    if (end - start < 4) return NEED_MORE;
    return 4 + ((bytes[start + 2]! << 8) | bytes[start + 3]!);
  }
  if (end - start < 10) return NEED_MORE;
  const high = bytes.readUInt32BE(start + 2);
  if (high !== 0) return TOO_LONG;
  return 10 + bytes.readUInt32BE(start + 6);
}

/** Why a handshake response is not a valid 101 for our key, or undefined when it is. */
function handshakeProblem(head: string, key: string): string | undefined {
  const [statusLine = "", ...lines] = head.split("\r\n");
  if (!/^HTTP\/1\.1 101 /.test(`${statusLine} `)) return `unexpected handshake status "${statusLine}"`;
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (headers.get("upgrade")?.toLowerCase() !== "websocket") return "handshake without Upgrade: websocket";
  const expected = createHash("sha1")
    .update(key + HANDSHAKE_GUID)
    .digest("base64");
  if (headers.get("sec-websocket-accept") !== expected) return "handshake with a wrong Sec-WebSocket-Accept";
  if (headers.has("sec-websocket-extensions")) return "server negotiated an extension we did not offer";
  return undefined;
}
