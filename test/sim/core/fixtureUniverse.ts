/**
 * The synthetic exchange universe of `test/fixtures/universe/` (HYPE perp 159, token 150, pair `@107`), both
 * as the raw JSON the simulator serves for `meta` / `spotMeta` and decoded for the registry.
 *
 * JSON module imports rather than file reads keep the core free of I/O; the fixture's README explains what
 * is real and what is made up.
 */
import type { Universe } from "../../../hotpath/exchange/registry/index.js";
import { decodeMeta, decodeSpotMeta } from "../../../hotpath/exchange/wire/decode-info.js";
import metaJson from "../../fixtures/universe/meta.json" with { type: "json" };
import spotMetaJson from "../../fixtures/universe/spotMeta.json" with { type: "json" };

/** `meta` and `spotMeta` exactly as the exchange would send them (key order and all fields kept). */
export interface RawUniverse {
  readonly meta: unknown;
  readonly spotMeta: unknown;
}

export class UniverseDecodeError extends Error {
  override readonly name = "UniverseDecodeError";
}

/** Validates a raw universe with the project's boundary decoders; throws naming the offending field. */
export function decodeUniverse(raw: RawUniverse): Universe {
  const meta = decodeMeta(raw.meta);
  if (!meta.ok) throw new UniverseDecodeError(`invalid meta: ${meta.error.message}`);
  const spotMeta = decodeSpotMeta(raw.spotMeta);
  if (!spotMeta.ok) throw new UniverseDecodeError(`invalid spotMeta: ${spotMeta.error.message}`);
  return { meta: meta.value, spotMeta: spotMeta.value };
}

export const FIXTURE_RAW_UNIVERSE: RawUniverse = { meta: metaJson, spotMeta: spotMetaJson };

export const FIXTURE_UNIVERSE: Universe = decodeUniverse(FIXTURE_RAW_UNIVERSE);
