/**
 * The two trade directions of a basis position and which book side each leg takes liquidity from.
 *
 * - `perpRich`: the perp trades above spot. Enter by selling the perp (hit perp bids) and buying spot (lift
 *   spot asks); the position is short perp / long spot, so positive funding is received. Exit: buy the perp
 *   back (perp asks), sell the spot (spot bids).
 * - `spotRich`: spot trades above the perp. Enter by selling spot we hold (hit spot bids) and buying the perp
 *   (lift perp asks); long perp / short spot inventory, so positive funding is paid. Exit: sell the perp
 *   (perp bids), buy the spot back (spot asks).
 */

export type EdgeDirection = "perpRich" | "spotRich";

export const EDGE_DIRECTIONS: readonly EdgeDirection[] = ["perpRich", "spotRich"];

/** +1 when the direction is short the perp (receives positive funding), −1 when long. */
export function fundingSign(direction: EdgeDirection): 1 | -1 {
  return direction === "perpRich" ? 1 : -1;
}
