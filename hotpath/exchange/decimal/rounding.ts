/**
 * Rounding of an exact integer quotient — the single place where the decimal module decides which way an
 * inexact result goes.
 *
 * The modes are named for the direction on the number line, because every caller in this bot thinks in
 * those terms (a price rounds up or down the grid, a size goes down to the lot):
 * - `"up"` is toward +∞ (ceiling) and `"down"` toward −∞ (floor), also for negative values. Beware that
 *   decimal.js's `ROUND_UP`/`ROUND_DOWN` mean away from / toward zero; ours are its
 *   `ROUND_CEIL`/`ROUND_FLOOR`.
 * - `"halfEven"` (banker's rounding) is for reporting values such as fees and PnL, where a bias in one
 *   direction would accumulate; it never decides a price or a size.
 */

export type Rounding = "up" | "down" | "halfEven";

/**
 * `numerator / divisor`, rounded as asked. The divisor must be positive; callers move any sign into the
 * numerator so that this stays the only sign-sensitive code.
 */
export function divideRounded(numerator: bigint, divisor: bigint, rounding: Rounding): bigint {
  // BigInt division truncates toward zero and the remainder takes the numerator's sign.
  const quotient = numerator / divisor;
  const remainder = numerator % divisor;
  if (remainder === 0n) return quotient;
  switch (rounding) {
    case "down":
      return remainder < 0n ? quotient - 1n : quotient;
    case "up":
      return remainder > 0n ? quotient + 1n : quotient;
    case "halfEven": {
      const twiceRemainder = (remainder < 0n ? -remainder : remainder) * 2n;
      if (twiceRemainder < divisor) return quotient;
      const awayFromZero = remainder < 0n ? quotient - 1n : quotient + 1n;
      if (twiceRemainder > divisor) return awayFromZero;
      return quotient % 2n === 0n ? quotient : awayFromZero;
    }
  }
}
