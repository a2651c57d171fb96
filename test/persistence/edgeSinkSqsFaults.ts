/**
 * An HTTP proxy in front of fauxqs that makes SQS refuse single entries of a `SendMessageBatch`, as AWS
 * does under internal errors or throttling (`Failed` entries with `SenderFault: false` in an HTTP 200
 * response) — a case fauxqs itself never produces. Armed entries are taken out of the request before it
 * is forwarded (so they really do not land) and reported in the response's `Failed` array; everything else
 * passes through unchanged, over the real wire protocol (AWS JSON 1.0, as `@aws-sdk/client-sqs` speaks it).
 */

import { createServer, type IncomingMessage, type Server } from "node:http";

export interface SqsFaultProxy {
  /** Point the SQS client's `endpoint` here. */
  readonly endpoint: string;
  /** The next `count` entries of SendMessageBatch requests are refused with `code`. */
  failNextEntries(count: number, senderFault: boolean, code?: string): void;
  /** Entries refused so far. */
  readonly refused: number;
  close(): Promise<void>;
}

interface BatchEntry {
  readonly Id: string;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startSqsFaultProxy(upstream: string): Promise<SqsFaultProxy> {
  let armed = 0;
  let armedSenderFault = false;
  let armedCode = "InternalError";
  let refused = 0;

  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const target = String(request.headers["x-amz-target"] ?? "");
      let forwarded = body;
      const failed: Record<string, unknown>[] = [];
      let allRefused = false;
      if (target.endsWith(".SendMessageBatch") && armed > 0) {
        const parsed = JSON.parse(body.toString("utf8")) as { Entries: BatchEntry[] };
        const kept: BatchEntry[] = [];
        for (const entry of parsed.Entries) {
          if (armed > 0) {
            armed -= 1;
            refused += 1;
            failed.push({
              Id: entry.Id,
              SenderFault: armedSenderFault,
              Code: armedCode,
              Message: "injected",
            });
          } else {
            kept.push(entry);
          }
        }
        parsed.Entries = kept;
        allRefused = kept.length === 0;
        forwarded = Buffer.from(JSON.stringify(parsed), "utf8");
      }
      let status = 200;
      let contentType = "application/x-amz-json-1.0";
      let text: string;
      if (allRefused) {
        // SQS would refuse an empty batch: answer for it, as if every entry failed on its side.
        text = JSON.stringify({ Successful: [], Failed: failed });
      } else {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.headers)) {
          if (["host", "content-length", "connection"].includes(name) || value === undefined) continue;
          headers[name] = Array.isArray(value) ? value.join(",") : value;
        }
        const upstreamResponse = await fetch(new URL(request.url ?? "/", upstream), {
          method: request.method ?? "POST",
          headers,
          ...(request.method === "GET" || request.method === "HEAD" ? {} : { body: forwarded }),
        });
        status = upstreamResponse.status;
        contentType = upstreamResponse.headers.get("content-type") ?? contentType;
        text = await upstreamResponse.text();
        if (failed.length > 0 && status === 200) {
          const parsed = JSON.parse(text) as { Successful?: unknown[]; Failed?: unknown[] };
          text = JSON.stringify({ ...parsed, Failed: [...(parsed.Failed ?? []), ...failed] });
        }
      }
      response.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
      response.end(text);
    })().catch((error: unknown) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failNextEntries: (count, senderFault, code = senderFault ? "InvalidParameterValue" : "InternalError") => {
      armed = count;
      armedSenderFault = senderFault;
      armedCode = code;
    },
    get refused() {
      return refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
