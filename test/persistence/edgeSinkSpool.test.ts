/**
 * The spool on a real temporary directory: order, acknowledgement, the size cap, segment rotation and
 * deletion, and what a reopened spool finds after a clean close, a torn tail or a corrupt record.
 */

import { appendFile, readFile, readdir, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import type { PackedMessage } from "../../hotpath/persistence/edgeBatchCodec.js";
import { EdgeSpool } from "../../hotpath/persistence/edgeSpool.js";
import { capturedLogger, temporaryDir } from "./edgeSinkSupport.js";

function message(tag: string, edgeCount = 3, size = 100): PackedMessage {
  const body = `${tag}:${"x".repeat(Math.max(0, size - tag.length - 1))}`;
  return { body, bytes: Buffer.byteLength(body), edgeCount };
}

const HEADER = 16;

describe("edge spool", () => {
  let dir: { path: string; remove(): Promise<void> };
  const log = capturedLogger();
  const open = (maxBytes = 1 << 20, segmentBytes?: number): Promise<EdgeSpool> =>
    EdgeSpool.open({
      dir: dir.path,
      maxBytes,
      logger: log.logger,
      ...(segmentBytes === undefined ? {} : { segmentBytes }),
    });

  beforeEach(async () => {
    dir = await temporaryDir();
    log.lines.length = 0;
  });
  afterEach(() => dir.remove());

  it("gives records back in append order and forgets them once acknowledged", async () => {
    const spool = await open();
    expect(spool.isEmpty).toBe(true);
    for (const tag of ["a", "b", "c", "d"]) expect(await spool.append(message(tag))).toBe("spooled");
    expect(spool.messageCount).toBe(4);
    expect(spool.edgeCount).toBe(12);
    expect(spool.bytes).toBe(4 * (HEADER + 100));

    const first = await spool.peek(3, 1 << 20);
    expect(first.map((record) => record.body!.slice(0, 1))).toEqual(["a", "b", "c"]);
    expect(first[0]).toMatchObject({ bytes: 100, edgeCount: 3 });
    expect((await spool.peek(3, 1 << 20)).map((record) => record.body!.slice(0, 1))).toEqual(["a", "b", "c"]);
    await spool.ack(2);
    expect((await spool.peek(10, 1 << 20)).map((record) => record.body!.slice(0, 1))).toEqual(["c", "d"]);
    expect(spool.bytes).toBe(2 * (HEADER + 100));
    await spool.ack(2);
    expect(spool.isEmpty).toBe(true);
    await spool.close();
  });

  it("peeks within the byte budget, but always at least one record", async () => {
    const spool = await open();
    for (const tag of ["a", "b", "c"]) await spool.append(message(tag, 1, 1_000));
    expect(await spool.peek(10, 2_500)).toHaveLength(2);
    expect(await spool.peek(10, 10)).toHaveLength(1);
    await spool.close();
  });

  it("refuses an append beyond the cap, appends in progress included", async () => {
    const spool = await open(3 * (HEADER + 100));
    const results = await Promise.all(["a", "b", "c", "d"].map((tag) => spool.append(message(tag))));
    expect(results).toEqual(["spooled", "spooled", "spooled", "full"]);
    await spool.ack(1);
    expect(await spool.append(message("e"))).toBe("spooled");
    await spool.close();
  });

  it("survives a restart: a reopened spool drains what is left, from the cursor", async () => {
    const first = await open();
    for (const tag of ["a", "b", "c"]) await first.append(message(tag));
    await first.ack(1);
    await first.close();

    const second = await open();
    expect(second.messageCount).toBe(2);
    expect(second.edgeCount).toBe(6);
    expect((await second.peek(10, 1 << 20)).map((record) => record.body!.slice(0, 1))).toEqual(["b", "c"]);
    await second.append(message("d")); // into a new segment: never after an old tail
    expect((await second.peek(10, 1 << 20)).map((record) => record.body!.slice(0, 1))).toEqual([
      "b",
      "c",
      "d",
    ]);
    await second.ack(3);
    await second.close();
    expect((await open()).isEmpty).toBe(true);
  });

  it("rotates segments and deletes those wholly acknowledged", async () => {
    const spool = await open(1 << 20, 3 * (HEADER + 100));
    for (const tag of ["a", "b", "c", "d", "e", "f", "g"]) await spool.append(message(tag));
    const segments = async (): Promise<string[]> =>
      (await readdir(dir.path)).filter((name) => name.endsWith(".spool")).sort();
    expect(await segments()).toHaveLength(3);
    await spool.ack(4);
    expect(await segments()).toHaveLength(2);
    expect(JSON.parse(await readFile(join(dir.path, "cursor.json"), "utf8"))).toEqual({
      segment: 2,
      offset: HEADER + 100,
    });
    await spool.ack(3);
    await spool.close();
    expect(await segments()).toHaveLength(1); // the open writer's segment, now empty of unacked data
    expect((await open()).isEmpty).toBe(true);
  });

  it("ignores a torn tail left by a crash mid-append, and says so", async () => {
    const first = await open();
    for (const tag of ["a", "b"]) await first.append(message(tag));
    await first.close();
    const [segment] = (await readdir(dir.path)).filter((name) => name.endsWith(".spool"));
    const path = join(dir.path, segment!);
    await truncate(path, 2 * (HEADER + 100) - 10);

    const second = await open();
    expect(second.messageCount).toBe(1);
    expect(
      log.messages("edge spool segment ends in a torn or corrupt record; the rest of it is skipped"),
    ).toEqual([expect.objectContaining({ bytesIgnored: HEADER + 100 - 10 })]);
    await second.close();
  });

  it("stops at a record that fails its checksum, and marks a record corrupted after it was indexed", async () => {
    const first = await open();
    for (const tag of ["a", "b", "c"]) await first.append(message(tag));
    await first.close();
    const [segment] = (await readdir(dir.path)).filter((name) => name.endsWith(".spool"));
    const path = join(dir.path, segment!);
    const data = await readFile(path);
    const flip = (buffer: Buffer, at: number): void =>
      void buffer.writeUInt8(buffer.readUInt8(at) ^ 0xff, at);
    flip(data, HEADER + 100 + HEADER + 5); // a byte of b's body
    await writeFile(path, data);
    const second = await open();
    expect(second.messageCount).toBe(1); // a only: b fails, the segment's rest is not trusted
    await second.close();

    const third = await open();
    await third.append(message("d"));
    const [newest] = (await readdir(dir.path))
      .filter((name) => name.endsWith(".spool"))
      .sort()
      .reverse();
    const newestPath = join(dir.path, newest!);
    const bytes = await readFile(newestPath);
    flip(bytes, HEADER + 3);
    await writeFile(newestPath, bytes);
    const records = await third.peek(10, 1 << 20);
    expect(records.at(-1)).toEqual({ body: null, bytes: 100, edgeCount: 3 });
    await third.close();
  });

  it("ignores files that are not its own, and a cursor it cannot read (draining everything)", async () => {
    await appendFile(join(dir.path, "notes.txt"), "hello");
    await writeFile(join(dir.path, "cursor.json"), "{broken");
    const first = await open();
    await first.append(message("a"));
    await first.close();
    const second = await open();
    expect(second.messageCount).toBe(1);
    expect(log.messages("edge spool cursor unreadable; draining every segment")).toHaveLength(2);
    await second.close();
  });
});
