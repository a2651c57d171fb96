/**
 * fast-check generators of valid persisted edges, for property tests of the edge codecs and the writer.
 * Decimals are written canonically (no trailing fraction zeros), as a version-2 body gives them back.
 */

import fc from "fast-check";

import {
  CLIP_LIMITS,
  EDGE_STATUSES,
  SKIP_REASONS,
  type PersistedEdge,
} from "../../hotpath/persistence/edgeBatchCodec.js";
import { canonical } from "./edgeFixtures.js";

/** An exact decimal of up to 12 places and |value| ≤ 10^12 units, canonical. */
export const decimalArbitrary = fc
  .tuple(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 12 }))
  .map(([units, places]) => canonical((units / 10 ** places).toFixed(places)));

const double = fc.oneof(fc.double(), fc.constant(null));
const time = fc.double({ min: 0, max: 4e12, noNaN: true });

export const edgeArbitrary: fc.Arbitrary<PersistedEdge> = fc.record({
  edgeId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  recordedAtMs: time,
  coin: fc.constantFrom("HYPE", "BTC", "PURR/USDC", "ÜNI"),
  direction: fc.constantFrom("perpRich" as const, "spotRich" as const),
  status: fc.constantFrom(...EDGE_STATUSES),
  outcome: fc.oneof(
    fc.string({ minLength: 1, maxLength: 128 }).map((intentId) => ({ kind: "traded" as const, intentId })),
    fc.constantFrom(...SKIP_REASONS).map((reason) => ({ kind: "skipped" as const, reason })),
  ),
  grossBps: double,
  netBps: double,
  entryFeeBps: double,
  exitFeeBps: double,
  fundingBps: double,
  clipLimit: fc.constantFrom(...CLIP_LIMITS),
  perpSize: decimalArbitrary,
  spotSize: decimalArbitrary,
  hedgedSize: decimalArbitrary,
  perpVwap: double,
  spotVwap: double,
  perpNotional: decimalArbitrary,
  spotNotional: decimalArbitrary,
  perpExchangeTimeMs: time,
  perpReceivedAtMs: time,
  spotExchangeTimeMs: time,
  spotReceivedAtMs: time,
  perpTakerFeeRate: decimalArbitrary,
  spotTakerFeeRate: decimalArbitrary,
  fundingRatePerHour: double,
});
