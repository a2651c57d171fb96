/**
 * The typed error of the edge module's set-up conversions (config, `userFees`, risk limits → integer units).
 * Raised off the hot path only: the per-frame computation reports problems as an `EdgeStatus` instead.
 */

export type EdgeInputErrorKind =
  /** A decimal that is not a plain decimal or is out of the allowed range. */
  | "decimal"
  /** A size that truncates to zero lots. */
  | "size"
  /** A value too large for the exact integer units. */
  | "range";

export class EdgeInputError extends Error {
  override readonly name = "EdgeInputError";
  constructor(
    readonly kind: EdgeInputErrorKind,
    /** Which input, e.g. `strategy.clipSize`, `userFees.userSpotCrossRate`. */
    readonly input: string,
    /** The offending value as text. */
    readonly value: string,
    detail: string,
  ) {
    super(`${input} = ${JSON.stringify(value)}: ${detail}`);
  }
}
