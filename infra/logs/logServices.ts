/**
 * The services that log to CloudWatch and the log group each one writes (`/hlbasis/<service>`): the CDK
 * app's own list (`infra/logGroupNames.ts`), so the command reads exactly the groups the stacks create.
 */

import { LOG_GROUP_PREFIX, LOG_SERVICES, type LogService, logGroupNameOf } from "../logGroupNames.js";

export { LOG_SERVICES, type LogService, logGroupNameOf };

export function isLogService(name: string): name is LogService {
  return (LOG_SERVICES as readonly string[]).includes(name);
}

/** `/hlbasis/edge-writer` → `edge-writer`; a group outside the naming scheme keeps its full name. */
export function serviceOfLogGroup(logGroupName: string): string {
  return logGroupName.startsWith(LOG_GROUP_PREFIX)
    ? logGroupName.slice(LOG_GROUP_PREFIX.length)
    : logGroupName;
}
