/**
 * The typed error of the strategy's set-up: a configuration value the decision code cannot run with. Raised
 * when a market's strategy is compiled (start-up, or a runtime change through the control API), never per
 * frame: `decide` reports everything as a verdict instead.
 */

export class StrategyConfigError extends Error {
  override readonly name = "StrategyConfigError";
  constructor(
    /** Which setting, e.g. `risk.maxClip`, `strategy.openThresholdBps`. */
    readonly field: string,
    /** The offending value as text. */
    readonly value: string,
    detail: string,
  ) {
    super(`${field} = ${JSON.stringify(value)}: ${detail}`);
  }
}

/**
 * The allocation-free grid rounding of `limitPrices.ts` disagreed with grid.ts's `roundPrice`, which makes
 * the string that is signed. A bug (property tests hold the two equal), never a market condition: nothing is
 * sent.
 */
export class LimitPriceError extends Error {
  override readonly name = "LimitPriceError";
  constructor(
    readonly market: "perp" | "spot",
    /** The price in price units before the grid. */
    readonly rawUnits: number,
    /** What the scaled-unit rounding gave, in price units. */
    readonly expectedUnits: number,
    /** What grid.ts gave. */
    readonly gridPx: string,
  ) {
    super(
      `${market} limit ${rawUnits} units: scaled rounding gave ${expectedUnits} units, grid.ts gave ${gridPx}`,
    );
  }
}
