/**
 * Why a configured market could not be resolved from `meta`/`spotMeta`, in words a person can act on.
 * Start-up aborts on any of these: trading with a wrong asset id sends orders to another market.
 */

export type MarketResolutionErrorCode =
  /** No perp with the configured name in `meta.universe`. */
  | "perp_not_found"
  /** Several listed perps share the name and no expectation picks one. */
  | "perp_ambiguous"
  /** The perp exists but is delisted. */
  | "perp_delisted"
  /** No spot token with the configured base or quote name. */
  | "spot_token_not_found"
  /** Several spot tokens share the name and no expectation picks one. */
  | "spot_token_ambiguous"
  /** Both tokens exist but no pair trades the base against the quote. */
  | "spot_pair_not_found"
  /** Several pairs trade the base against the quote and no expectation picks one. */
  | "spot_pair_ambiguous"
  /** The metadata contradicts itself (duplicate indices, an `@N` name that is not its index). */
  | "universe_inconsistent"
  /** Resolved, but ids or decimals differ from the configured expectations. */
  | "expectation_mismatch"
  /** Two configured markets share a leg, so frames could not be routed to one market. */
  | "duplicate_market";

export interface ExpectationMismatch {
  readonly field: string;
  readonly expected: string | number;
  readonly actual: string | number;
}

export class MarketResolutionError extends Error {
  override readonly name = "MarketResolutionError";
  constructor(
    readonly code: MarketResolutionErrorCode,
    /** The configured coin being resolved. */
    readonly coin: string,
    message: string,
    /** Filled for `expectation_mismatch`. */
    readonly mismatches: readonly ExpectationMismatch[] = [],
  ) {
    super(message);
  }
}

/** Resolving several coins failed for at least one; every failure is listed. */
export class MarketsResolutionError extends Error {
  override readonly name = "MarketsResolutionError";
  constructor(readonly failures: readonly MarketResolutionError[]) {
    super(
      `could not resolve ${failures.length} market(s):\n` +
        failures.map((failure) => `- ${failure.coin} [${failure.code}]: ${failure.message}`).join("\n"),
    );
  }
}
