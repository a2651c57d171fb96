/**
 * Exact integer division of non-negative integers held in doubles.
 *
 * `a / b` is correctly rounded, so `Math.floor(a / b)` is within one of the true floor quotient; one
 * multiplication each way corrects it. The products stay exact as long as `a + b ≤ 2^53` (callers check
 * their operands against `Number.MAX_SAFE_INTEGER` first).
 */

/** ⌊a / b⌋ for integers a ≥ 0, b > 0 with a + b ≤ 2^53. */
export function floorDiv(a: number, b: number): number {
  let quotient = Math.floor(a / b);
  if (quotient * b > a) quotient -= 1;
  else if ((quotient + 1) * b <= a) quotient += 1;
  return quotient;
}
