/**
 * `WsConnection.sendComposed` (the order path's posts, written into a reusable frame buffer and masked in
 * place a word at a time) puts the same frames on the wire as `send` for the same text — header byte for
 * byte, payload identical once unmasked — for random texts of every length encoding and fixed examples; a
 * peer that does not read gets many large frames, all intact and in order once it does (the socket keeps
 * buffers it could not write yet, which must not be reused); and a frame buffer is reused when writes
 * complete, over TCP and over TLS.
 */

import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer } from "node:tls";

import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";

import { WsConnection, type ComposedText, type WsConnectionError } from "../../hotpath/feed/wsConnection.js";
import { localhostCertificate } from "./testCertificate.js";

/** A composed message of `text`, as a caller would write one: the generic UTF-8 encoding. */
function composed(text: string): ComposedText {
  return {
    maxBytes: () => 3 * text.length,
    writeTo: (target, offset) => offset + target.write(text, offset, "utf8"),
  };
}

interface ClientFrame {
  /** FIN/RSV/opcode byte and the length bytes (mask bit included), without the mask key. */
  readonly header: Buffer;
  readonly payload: Buffer;
}

/** The complete masked client frames at the start of `stream`, unmasked, and how many bytes they took. */
function clientFrames(stream: Buffer): { frames: ClientFrame[]; used: number } {
  const frames: ClientFrame[] = [];
  let at = 0;
  for (;;) {
    if (stream.length - at < 2) break;
    const code = stream[at + 1]! & 0x7f;
    const lengthBytes = code < 126 ? 0 : code === 126 ? 2 : 8;
    const headerEnd = at + 2 + lengthBytes;
    if (stream.length < headerEnd + 4) break;
    const length =
      code < 126 ? code : code === 126 ? stream.readUInt16BE(at + 2) : Number(stream.readBigUInt64BE(at + 2));
    const payloadAt = headerEnd + 4;
    if (stream.length < payloadAt + length) break;
    const mask = stream.subarray(headerEnd, payloadAt);
    const payload = Buffer.from(stream.subarray(payloadAt, payloadAt + length));
    for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i & 3]!;
    frames.push({ header: Buffer.from(stream.subarray(at, headerEnd)), payload });
    at = payloadAt + length;
  }
  return { frames, used: at };
}

function acceptingHandshake(key: string): string {
  const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}

/** A server that accepts the handshake and collects every client frame; `socket` is the server side. */
interface Peer {
  readonly url: string;
  readonly frames: ClientFrame[];
  socket: Socket | undefined;
  close(): Promise<void>;
}

async function peer(options: { tls?: { cert: Buffer; key: Buffer } } = {}): Promise<Peer> {
  const frames: ClientFrame[] = [];
  const state: Peer = {
    url: "",
    frames,
    socket: undefined,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const onConnection = (socket: Socket): void => {
    state.socket = socket;
    let pending = Buffer.alloc(0);
    let open = false;
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (!open) {
        const end = pending.indexOf("\r\n\r\n");
        if (end < 0) return;
        const key = /Sec-WebSocket-Key: (.*)\r\n/i.exec(pending.toString("latin1", 0, end + 2))?.[1] ?? "";
        socket.write(acceptingHandshake(key));
        pending = pending.subarray(end + 4);
        open = true;
      }
      const { frames: complete, used } = clientFrames(pending);
      frames.push(...complete);
      pending = pending.subarray(used);
    });
    socket.on("error", () => {});
  };
  const server: TcpServer =
    options.tls === undefined ? createTcpServer(onConnection) : createTlsServer(options.tls, onConnection);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  (state as { url: string }).url = `${options.tls === undefined ? "ws" : "wss"}://127.0.0.1:${port}/ws`;
  return state;
}

async function until(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function connected(
  url: string,
  ca?: Buffer,
): Promise<{ connection: WsConnection; errors: WsConnectionError[] }> {
  const errors: WsConnectionError[] = [];
  let opened = false;
  const connection = new WsConnection(
    url,
    {
      open: () => (opened = true),
      text: () => {},
      binary: () => {},
      error: (error) => errors.push(error),
      close: () => {},
    },
    { maxMessageBytes: 1024, handshakeTimeoutMs: 2_000, ...(ca === undefined ? {} : { tls: { ca } }) },
  );
  await until("open", () => opened);
  return { connection, errors };
}

/** The buffers `connection` hands its socket, by identity of their memory. */
function recordWrites(connection: WsConnection): ArrayBufferLike[] {
  const socket = (connection as unknown as { socket: Socket }).socket;
  const buffers: ArrayBufferLike[] = [];
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  (socket as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
    buffers.push((args[0] as Buffer).buffer);
    return write(...args);
  };
  return buffers;
}

/** Texts around every length boundary of the frame header and of the 32-bit masking (length mod 4). */
const BOUNDARY_LENGTHS = [
  0, 1, 2, 3, 4, 5, 7, 8, 124, 125, 126, 127, 128, 65_534, 65_535, 65_536, 65_537, 70_001,
];

describe("WsConnection.sendComposed", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function expectSameFrames(connection: WsConnection, server: Peer, text: string): Promise<void> {
    const before = server.frames.length;
    connection.send(text);
    connection.sendComposed(composed(text));
    await until("both frames", () => server.frames.length === before + 2);
    const [generic, special] = server.frames.slice(before);
    expect(special!.header.equals(generic!.header)).toBe(true);
    expect(special!.payload.equals(generic!.payload)).toBe(true);
    expect(special!.payload.equals(Buffer.from(text, "utf8"))).toBe(true);
  }

  it("writes the frames send writes, for random texts of every length encoding", async () => {
    const server = await peer();
    cleanups.push(() => server.close());
    const { connection, errors } = await connected(server.url);
    cleanups.push(() => connection.terminate());
    const textArb = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: "binary", maxLength: 300 }),
      fc
        .tuple(fc.constantFrom(...BOUNDARY_LENGTHS), fc.constantFrom("a", "é", "€", "𝄞"))
        .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length)),
    );
    await fc.assert(
      fc.asyncProperty(textArb, (text) => expectSameFrames(connection, server, text)),
      { numRuns: 200 },
    );
    expect(errors).toEqual([]);
  });

  it.each(BOUNDARY_LENGTHS)("writes the frame send writes for %d ASCII bytes", async (length) => {
    const server = await peer();
    cleanups.push(() => server.close());
    const { connection } = await connected(server.url);
    cleanups.push(() => connection.terminate());
    const text = Array.from({ length }, (_, i) => String.fromCharCode(0x20 + (i % 95))).join("");
    await expectSameFrames(connection, server, text);
    const frame = server.frames.at(-1)!;
    const expectedHeader =
      length < 126
        ? Buffer.from([0x81, 0x80 | length])
        : length < 65_536
          ? Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff])
          : Buffer.from([
              0x81,
              0x80 | 127,
              0,
              0,
              0,
              0,
              length >>> 24,
              (length >>> 16) & 0xff,
              (length >>> 8) & 0xff,
              length & 0xff,
            ]);
    expect(frame.header.equals(expectedHeader)).toBe(true);
  });

  it("delivers many large frames intact and in order to a peer that reads only later", async () => {
    const server = await peer();
    cleanups.push(() => server.close());
    const { connection, errors } = await connected(server.url);
    cleanups.push(() => connection.terminate());
    server.socket!.pause();
    const socket = (connection as unknown as { socket: Socket }).socket;
    const texts: string[] = [];
    for (let i = 0; i < 120; i++) {
      const text = `${i}:` + String.fromCharCode(0x41 + (i % 26)).repeat(20_000 + ((i * 7919) % 50_000));
      texts.push(text);
      if (i % 5 === 4) connection.send(text);
      else connection.sendComposed(composed(text));
      // Several posts per tick, and ticks in between, while the peer reads nothing.
      if (i % 3 === 2) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(socket.writableLength).toBeGreaterThan(0); // the kernel did not take it all: writes were queued
    server.socket!.resume();
    await until("every frame", () => server.frames.length === texts.length, 20_000);
    expect(server.frames.map((frame) => frame.payload.toString("utf8"))).toEqual(texts);
    expect(errors).toEqual([]);
  });

  it("reuses one frame buffer over TCP when each write completes at once", async () => {
    const server = await peer();
    cleanups.push(() => server.close());
    const { connection } = await connected(server.url);
    cleanups.push(() => connection.terminate());
    const buffers = recordWrites(connection);
    for (let i = 0; i < 20; i++) {
      connection.sendComposed(composed(`{"post":${i}}`));
      connection.sendComposed(composed(`{"post":${i},"second":true}`));
      await until("frames", () => server.frames.length === 2 * (i + 1));
    }
    expect(new Set(buffers).size).toBe(1);
    expect(server.frames.map((frame) => frame.payload.toString()).slice(0, 2)).toEqual([
      '{"post":0}',
      '{"post":0,"second":true}',
    ]);
  });

  it("reuses its two frame buffers over TLS once the write callbacks ran, and the frames arrive intact", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hlbasis-tls-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const credentials = localhostCertificate(dir);
    const server = await peer({ tls: credentials });
    cleanups.push(() => server.close());
    const { connection, errors } = await connected(server.url, credentials.cert);
    cleanups.push(() => connection.terminate());
    const buffers = recordWrites(connection);
    const texts: string[] = [];
    for (let i = 0; i < 20; i++) {
      for (const leg of ["perp", "spot"]) {
        const text = `{"post":${i},"leg":"${leg}","pad":"${"x".repeat(400 + i)}"}`;
        texts.push(text);
        connection.sendComposed(composed(text));
      }
      await until("frames", () => server.frames.length === texts.length);
    }
    expect(new Set(buffers).size).toBe(2);
    expect(server.frames.map((frame) => frame.payload.toString())).toEqual(texts);
    expect(errors).toEqual([]);
  });
});
