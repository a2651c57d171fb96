/**
 * The CloudWatch log group of every service the CDK app deploys: `/hlbasis/<service>`. One list, pure (no
 * aws-cdk-lib import), so the `logs` command and the alarms read the same names the stacks create.
 */

/** Services that log to their own group; `migrator` is the custom resource applying the SQL migrations. */
export const LOG_SERVICES = ["hotpath", "edge-writer", "trade-writer", "rebalancer", "migrator"] as const;

export type LogService = (typeof LOG_SERVICES)[number];

export const LOG_GROUP_PREFIX = "/hlbasis/";

export function logGroupNameOf(service: LogService): string {
  return `${LOG_GROUP_PREFIX}${service}`;
}

/** Every service's group name, by service. */
export const LOG_GROUP_NAMES: Readonly<Record<LogService, string>> = Object.freeze(
  Object.fromEntries(LOG_SERVICES.map((service) => [service, logGroupNameOf(service)])) as Record<
    LogService,
    string
  >,
);

/**
 * Groups that are not a service's own: the rebalancer's Step Functions schedule (the `vendedlogs` prefix
 * keeps the CloudWatch Logs resource policy small) and the VPC flow logs.
 */
export const SCHEDULE_LOG_GROUP_NAME = "/aws/vendedlogs/states/hlbasis-rebalancer-schedule";
export const VPC_FLOW_LOG_GROUP_NAME = "/hlbasis-infra/vpc-flow-logs";
