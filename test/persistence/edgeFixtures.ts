/**
 * Synthetic persisted edges and SQS events for the codec, edge-writer tests and benchmark.
 */

import { randomUUID } from "node:crypto";

import type { Context, SQSEvent, SQSRecord } from "aws-lambda";

import type { PersistedEdge } from "../../hotpath/persistence/edgeBatchCodec.js";

const BASE_MS = Date.UTC(2026, 4, 1, 12, 0, 0);

/** Edge `id`: every 7th traded (intent `intent-<id>`), the rest skipped below threshold. */
export function makeEdge(id: number, overrides: Partial<PersistedEdge> = {}): PersistedEdge {
  const traded = id % 7 === 0;
  return {
    edgeId: id,
    recordedAtMs: BASE_MS + id,
    coin: "HYPE",
    direction: id % 2 === 0 ? "perpRich" : "spotRich",
    status: "ok",
    outcome: traded
      ? { kind: "traded", intentId: `intent-${id}` }
      : { kind: "skipped", reason: "belowThreshold" },
    grossBps: 12.345678901234567,
    netBps: -3.25,
    entryFeeBps: 7.5,
    exitFeeBps: 7.5,
    fundingBps: 0.125,
    clipLimit: "clip",
    perpSize: "12.34",
    spotSize: "12.34",
    hedgedSize: "12.34",
    perpVwap: 25.1234,
    spotVwap: 25.0987,
    perpNotional: "310.022756",
    spotNotional: "309.71795800",
    perpExchangeTimeMs: BASE_MS + id - 40,
    perpReceivedAtMs: BASE_MS + id - 12.5,
    spotExchangeTimeMs: BASE_MS + id - 41,
    spotReceivedAtMs: BASE_MS + id - 13.25,
    perpTakerFeeRate: "0.00045",
    spotTakerFeeRate: "0.0007",
    fundingRatePerHour: 0.0000125,
    ...overrides,
  };
}

export function makeEdges(fromId: number, count: number): PersistedEdge[] {
  return Array.from({ length: count }, (_, i) => makeEdge(fromId + i));
}

/** A seeded uniform [0, 1) generator (mulberry32), so "random" fixtures are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A decimal string without trailing fraction zeros, as `fromScaledNumber` writes it. */
export function canonical(text: string): string {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

/**
 * Edges whose every double, size and time differs from the previous edge's: close to the worst case for
 * compression (real edges repeat many values from one frame to the next).
 */
export function makeNoisyEdges(fromId: number, count: number, seed = 1): PersistedEdge[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const lots = 1 + Math.floor(random() * 5000);
    return makeEdge(fromId + i, {
      recordedAtMs: BASE_MS + (fromId + i) * 0.2 + random(),
      grossBps: (random() - 0.5) * 40,
      netBps: (random() - 0.5) * 60,
      entryFeeBps: 11 + random(),
      exitFeeBps: 11 + random(),
      fundingBps: random(),
      perpSize: (lots / 100).toString(),
      perpVwap: 25 + random(),
      spotVwap: 25 + random(),
      perpNotional: canonical((Math.floor(random() * 1e8) / 1e6).toFixed(6)),
      spotNotional: canonical((Math.floor(random() * 1e10) / 1e8).toFixed(8)),
      perpReceivedAtMs: BASE_MS + (fromId + i) * 0.2 + random(),
      spotReceivedAtMs: BASE_MS + (fromId + i) * 0.2 + random(),
    });
  });
}

export const TEST_BOOT_ID = "3b0f3c1e-8a52-4d55-9a0e-4c1f2d7e9b10";

export function sqsRecord(body: string, messageId: string = randomUUID(), sentMs = Date.now()): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(sentMs),
      SenderId: "AIDTEST",
      ApproximateFirstReceiveTimestamp: String(sentMs),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:ap-northeast-1:000000000000:edges",
    awsRegion: "ap-northeast-1",
  };
}

export function sqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

export function lambdaContext(awsRequestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: "edge-writer",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:ap-northeast-1:000000000000:function:edge-writer",
    memoryLimitInMB: "256",
    awsRequestId,
    logGroupName: "/aws/lambda/edge-writer",
    logStreamName: "test",
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
