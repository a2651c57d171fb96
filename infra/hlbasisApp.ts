/**
 * Builds the hlbasis stacks into a CDK `App`, for `infra/app.ts` and the tests.
 *
 * Stacks by lifecycle (the AWS target; arrows are cross-stack references):
 *
 *   Hlbasis-Network ─┬─> Hlbasis-Data ──> Hlbasis-Messaging ─┬─> Hlbasis-Host ──> Hlbasis-Observability
 *                    └───────────────────────────────────────┘        (queues) └──────────┘
 *
 * - Network: VPC, subnets, NAT, flow logs — changes rarely.
 * - Data: RDS + Proxy + credentials + schema migrations — long-lived, deletion-protected.
 * - Messaging: queues, DLQs, the three Lambdas, the 30 s schedule, the master-key secret — deployed with code.
 * - Host: the hot-path EC2 instance, its secrets and config — replaced by every host change.
 * - Observability: alarms, dashboard, queries — cheap to change.
 *
 * The LocalStack target keeps Messaging only (with `DATABASE_URL` from context): see infra/README.md.
 */

import { fileURLToPath } from "node:url";

import { type App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";

import { type InfraSettings, readInfraSettings } from "./settings.js";
import { DataStack } from "./stacks/dataStack.js";
import { FunctionFactory } from "./stacks/functionFactory.js";
import { HostStack } from "./stacks/hostStack.js";
import { type DatabaseAccess, MessagingStack } from "./stacks/messagingStack.js";
import { NetworkStack, SUBNET_GROUPS } from "./stacks/networkStack.js";
import { ObservabilityStack } from "./stacks/observabilityStack.js";

export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

export const STACK_NAMES = {
  network: "Hlbasis-Network",
  data: "Hlbasis-Data",
  messaging: "Hlbasis-Messaging",
  host: "Hlbasis-Host",
  observability: "Hlbasis-Observability",
} as const;

export interface HlbasisStacks {
  readonly settings: InfraSettings;
  readonly network: NetworkStack | undefined;
  readonly data: DataStack | undefined;
  readonly messaging: MessagingStack;
  readonly host: HostStack | undefined;
  readonly observability: ObservabilityStack | undefined;
}

export interface BuildOptions {
  /** Register cdk-nag's AwsSolutionsChecks on the app (synthesis then fails on any unacknowledged finding). */
  readonly nag?: boolean;
  readonly repoRoot?: string;
}

export function buildHlbasisApp(app: App, options: BuildOptions = {}): HlbasisStacks {
  const settings = readInfraSettings((key) => app.node.tryGetContext(key));
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const env = {
    region: settings.region,
    ...(settings.account === undefined ? {} : { account: settings.account }),
  };
  const aws = settings.target === "aws";
  const functions = new FunctionFactory({
    repoRoot,
    logRetentionDays: settings.logRetentionDays,
    subnetGroupName: aws ? SUBNET_GROUPS.functions : undefined,
  });

  let network: NetworkStack | undefined;
  let data: DataStack | undefined;
  let database: DatabaseAccess;
  if (aws) {
    const availabilityZones = app.node.tryGetContext(`hlbasis:availabilityZones:${settings.region}`) as
      string[] | undefined;
    network = new NetworkStack(app, STACK_NAMES.network, {
      env,
      settings,
      ...(availabilityZones === undefined ? {} : { availabilityZones: availabilityZones.slice(0, 2) }),
      description: "hlbasis: VPC (public / functions / data subnets), NAT, flow logs",
    });
    data = new DataStack(app, STACK_NAMES.data, {
      env,
      settings,
      vpc: network.vpc,
      functionsSecurityGroup: network.functionsSecurityGroup,
      functions,
      repoRoot,
      description: "hlbasis: RDS for PostgreSQL, RDS Proxy, credentials, schema migrations",
    });
    const secret = data.databaseSecret;
    database = {
      environment: {
        DATABASE_SECRET_ARN: secret.secretArn,
        DATABASE_HOST: data.proxy.endpoint,
        DATABASE_TLS: "verify-full",
      },
      grant: (fn) => {
        secret.grantRead(fn);
      },
    };
  } else {
    database = { environment: { DATABASE_URL: settings.databaseUrl! }, grant: () => undefined };
  }

  const messaging = new MessagingStack(app, STACK_NAMES.messaging, {
    env,
    settings,
    functions,
    repoRoot,
    database,
    ...(network === undefined
      ? {}
      : { vpc: network.vpc, functionsSecurityGroup: network.functionsSecurityGroup }),
    description: "hlbasis: SQS queues and DLQs, edge-writer, trade-writer, rebalancer and its 30 s schedule",
  });

  let host: HostStack | undefined;
  let observability: ObservabilityStack | undefined;
  if (network !== undefined) {
    host = new HostStack(app, STACK_NAMES.host, {
      env,
      settings,
      vpc: network.vpc,
      edgesQueue: messaging.edgesQueue,
      tradesQueue: messaging.tradesQueue,
      repoRoot,
      description: "hlbasis: the hot-path host (2 physical cores, pinned, SSM only)",
    });
    observability = new ObservabilityStack(app, STACK_NAMES.observability, {
      env,
      settings,
      edgesQueue: messaging.edgesQueue,
      edgesDlq: messaging.edgesDlq,
      tradesQueue: messaging.tradesQueue,
      tradesDlq: messaging.tradesDlq,
      edgeWriter: messaging.edgeWriter,
      tradeWriter: messaging.tradeWriter,
      rebalancer: messaging.rebalancer,
      schedule: messaging.schedule,
      hotpathLogGroup: host.logGroup,
      description: "hlbasis: alarms, alarm topic, dashboard, Logs Insights queries",
    });
  }

  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { settings, network, data, messaging, host, observability };
}
