/** CloudWatch Logs accepts only some retention periods: the smallest allowed one that keeps `days`. */

import type * as logs from "aws-cdk-lib/aws-logs";

const ALLOWED_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export function retentionOf(days: number): logs.RetentionDays {
  // RetentionDays is a numeric enum of exactly these day counts.
  return ALLOWED_DAYS.find((candidate) => candidate >= days) ?? 3653;
}
