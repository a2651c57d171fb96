/**
 * The feed's own WebSocket client connection over real sockets: against `ws`'s server (messages of every
 * length encoding, fragmentation, ping/pong, the closing handshake, masked sends), against a raw TCP server
 * that writes a scripted byte stream cut into random chunks (reassembly across reads, the end-of-message
 * sentinel, restored bytes), against servers that break the protocol, and over TLS (`wss:`).
 */

import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";

import {
  WsConnection,
  type WsConnectionError,
  type WsConnectionOptions,
} from "../../hotpath/feed/wsConnection.js";
import { localhostCertificate } from "./testCertificate.js";

const OPTIONS: WsConnectionOptions = { maxMessageBytes: 1024 * 1024, handshakeTimeoutMs: 2_000 };

interface Received {
  texts: string[];
  binaries: number;
  errors: WsConnectionError[];
  closed: { code: number; reason: string } | undefined;
  /** Every text call saw `bytes[end]` past the buffer or 0. */
  sentinelHeld: boolean;
  opened: boolean;
}

function connect(
  url: string,
  options: WsConnectionOptions = OPTIONS,
  onOpen?: (connection: WsConnection) => void,
): { connection: WsConnection; received: Received } {
  const received: Received = {
    texts: [],
    binaries: 0,
    errors: [],
    closed: undefined,
    sentinelHeld: true,
    opened: false,
  };
  const connection: WsConnection = new WsConnection(
    url,
    {
      open: () => {
        received.opened = true;
        onOpen?.(connection);
      },
      text: (bytes, start, end) => {
        if (end < bytes.length && bytes[end] !== 0) received.sentinelHeld = false;
        received.texts.push(bytes.toString("utf8", start, end));
      },
      binary: () => {
        received.binaries += 1;
      },
      error: (error) => received.errors.push(error),
      close: (code, reason) => {
        received.closed = { code, reason };
      },
    },
    options,
  );
  return { connection, received };
}

async function until(what: string, condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A server frame (unmasked) with `payload`; `first` is the FIN/RSV/opcode byte. */
function serverFrame(first: number, payload: Buffer, maskKey?: Buffer): Buffer {
  const length = payload.length;
  const maskBit = maskKey === undefined ? 0 : 0x80;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([first, maskBit | length]);
  } else if (length < 65_536) {
    header = Buffer.from([first, maskBit | 126, length >> 8, length & 0xff]);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeUInt32BE(length, 6);
  }
  if (maskKey === undefined) return Buffer.concat([header, payload]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ maskKey[i & 3]!));
  return Buffer.concat([header, maskKey, masked]);
}

/** A raw TCP server that completes the handshake, then runs `script` on the socket. */
async function rawServer(
  script: (socket: Socket) => void,
  handshake: (key: string) => string = acceptingHandshake,
): Promise<{ url: string; server: TcpServer }> {
  const server = createTcpServer((socket) => {
    let head = "";
    socket.on("data", function onData(chunk: Buffer) {
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      socket.off("data", onData);
      const key = /Sec-WebSocket-Key: (.*)\r\n/i.exec(head)?.[1] ?? "";
      socket.write(handshake(key));
      script(socket);
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  return { url: `ws://127.0.0.1:${address.port}/ws`, server };
}

function acceptingHandshake(key: string): string {
  const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}

/** Deterministic PRNG (mulberry32) so a failing chunking can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("WsConnection", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function wsServer(onConnection: (socket: WebSocket) => void): Promise<string> {
    const server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    server.on("connection", onConnection);
    await new Promise((resolve) => server.once("listening", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no address");
    return `ws://127.0.0.1:${address.port}/ws`;
  }

  it("receives text of every length encoding, fragmented and binary messages, and sends masked text", async () => {
    const sizes = [0, 1, 125, 126, 127, 65_535, 65_536, 200_000];
    const messages = sizes.map(
      (size, i) => "abcdefghij".repeat(Math.ceil(size / 10) + 1).slice(0, size) + String(i),
    );
    const heard: string[] = [];
    const url = await wsServer((socket) => {
      socket.on("message", (data: Buffer) => {
        heard.push(data.toString());
        for (const message of messages) socket.send(message);
        socket.send("frag", { fin: false });
        socket.send("men", { fin: false });
        socket.send("ted", { fin: true });
        socket.send(Buffer.from([1, 2, 3]), { binary: true });
        socket.send("last");
      });
    });
    const { connection, received } = connect(url, OPTIONS, (c) => c.send('{"method":"ping"}'));
    cleanups.push(() => connection.terminate());
    await until("all messages", () => received.texts.length === messages.length + 2);
    expect(heard).toEqual(['{"method":"ping"}']);
    expect(received.texts).toEqual([...messages, "fragmented", "last"]);
    expect(received.binaries).toBe(1);
    expect(received.sentinelHeld).toBe(true);
    expect(received.errors).toEqual([]);
  });

  it("answers pings with pongs and reports the server's close code and reason", async () => {
    let pong: Buffer | undefined;
    const url = await wsServer((socket) => {
      socket.on("pong", (data) => {
        pong = data;
        socket.close(4001, "bye now");
      });
      socket.ping(Buffer.from("hb-1"));
    });
    const { connection, received } = connect(url);
    cleanups.push(() => connection.terminate());
    await until("close", () => received.closed !== undefined);
    expect(pong?.toString()).toBe("hb-1");
    expect(received.closed).toEqual({ code: 4001, reason: "bye now" });
    expect(received.errors).toEqual([]);
  });

  it("reassembles a scripted stream cut into random chunks: same messages, bytes after each restored", async () => {
    const rng = seeded(42);
    const messages: string[] = [];
    for (let i = 0; i < 400; i++) {
      const size = rng() < 0.1 ? 70_000 + Math.floor(rng() * 10_000) : Math.floor(rng() * 3_000);
      messages.push(`${i}:` + "x".repeat(size));
    }
    const frames: Buffer[] = [];
    messages.forEach((message, i) => {
      const payload = Buffer.from(message);
      if (i % 7 === 3) {
        // Fragmented, with a ping in between (control frames may interleave).
        const cut = Math.floor(payload.length / 2);
        frames.push(serverFrame(0x01, payload.subarray(0, cut)));
        frames.push(serverFrame(0x89, Buffer.from("p")));
        frames.push(serverFrame(0x80, payload.subarray(cut)));
      } else {
        frames.push(serverFrame(0x81, payload));
      }
    });
    const stream = Buffer.concat(frames);
    const { url, server } = await rawServer((socket) => {
      let offset = 0;
      const writeSome = (): void => {
        while (offset < stream.length) {
          const size = 1 + Math.floor(rng() * (rng() < 0.5 ? 16 : 100_000));
          socket.write(stream.subarray(offset, Math.min(stream.length, offset + size)));
          offset += size;
          if (rng() < 0.2) {
            setTimeout(writeSome, 0);
            return;
          }
        }
      };
      writeSome();
    });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { connection, received } = connect(url, { ...OPTIONS, readBufferBytes: 4096 });
    cleanups.push(() => connection.terminate());
    await until("every message", () => received.texts.length === messages.length, 10_000);
    expect(received.texts).toEqual(messages);
    expect(received.sentinelHeld).toBe(true);
    expect(received.errors).toEqual([]);
  });

  it.each([
    ["a masked server frame", serverFrame(0x81, Buffer.from("hi"), Buffer.from([1, 2, 3, 4])), "protocol"],
    ["RSV bits without an extension", serverFrame(0xc1, Buffer.from("hi")), "protocol"],
    ["a reserved opcode", serverFrame(0x83, Buffer.from("hi")), "protocol"],
    ["a continuation without a message", serverFrame(0x80, Buffer.from("hi")), "protocol"],
    ["an oversized ping", serverFrame(0x89, Buffer.alloc(126)), "protocol"],
    ["a message above maxMessageBytes", serverFrame(0x81, Buffer.alloc(2_000)), "tooLarge"],
  ] as const)("closes on %s with a typed error", async (_what, frame, kind) => {
    const { url, server } = await rawServer((socket) => socket.write(frame));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { connection, received } = connect(url, { ...OPTIONS, maxMessageBytes: 1_000 });
    cleanups.push(() => connection.terminate());
    await until("close", () => received.closed !== undefined);
    expect(received.errors.map((error) => error.kind)).toEqual([kind]);
    expect(received.closed?.code).toBe(kind === "tooLarge" ? 1009 : 1002);
    expect(received.texts).toEqual([]);
  });

  it("refuses a handshake with a wrong Sec-WebSocket-Accept, and times out a server that never answers", async () => {
    const wrong = await rawServer(
      () => {},
      () => "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: nope\r\n\r\n",
    );
    cleanups.push(() => new Promise<void>((resolve) => wrong.server.close(() => resolve())));
    const first = connect(wrong.url);
    await until("close", () => first.received.closed !== undefined);
    expect(first.received.opened).toBe(false);
    expect(first.received.errors[0]?.kind).toBe("handshake");
    expect(first.received.errors[0]?.message).toMatch(/Sec-WebSocket-Accept/);

    const silent = createTcpServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const sockets: Socket[] = [];
    silent.on("connection", (socket) => sockets.push(socket));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const port = (silent.address() as { port: number }).port;
    const second = connect(`ws://127.0.0.1:${port}/ws`, { ...OPTIONS, handshakeTimeoutMs: 200 });
    await until("close", () => second.received.closed !== undefined);
    expect(second.received.errors[0]?.kind).toBe("handshake");
    expect(second.received.errors[0]?.message).toMatch(/no WebSocket handshake within 200 ms/);
  });

  it("reports a refused connection as a socket error followed by close 1006", async () => {
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { received } = connect(`ws://127.0.0.1:${port}/ws`);
    await until("close", () => received.closed !== undefined);
    expect(received.errors[0]?.kind).toBe("socket");
    expect(received.closed?.code).toBe(1006);
  });

  it("speaks wss: through TLS with the onread buffer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hlbasis-tls-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { cert, key } = localhostCertificate(dir);
    const https: HttpsServer = createHttpsServer({ cert, key });
    const wss = new WebSocketServer({ server: https });
    wss.on("connection", (socket) => {
      socket.on("message", (data: Buffer) => socket.send(`echo:${data.toString()}:${"y".repeat(100_000)}`));
    });
    await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          wss.close();
          https.close(() => resolve());
        }),
    );
    const port = (https.address() as { port: number }).port;
    const { connection, received } = connect(
      `wss://127.0.0.1:${port}/ws`,
      { ...OPTIONS, tls: { ca: cert } },
      (c) => c.send("hello"),
    );
    cleanups.push(() => connection.terminate());
    await until("echo", () => received.texts.length === 1);
    expect(received.texts[0]).toBe(`echo:hello:${"y".repeat(100_000)}`);
    expect(received.errors).toEqual([]);
  });
});
