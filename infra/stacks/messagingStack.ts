/**
 * Messaging and functions (both targets): the edges queue (standard) and the trades queue (FIFO), each with
 * its DLQ; the `edge-writer` and `trade-writer` Lambdas on them; the `rebalancer` on a 30-second cadence
 * (EventBridge every minute → a Step Functions Express workflow: invoke, wait 30 s, invoke); the master-key
 * secret, readable by the rebalancer alone.
 *
 * Sizing rules the tests check: visibility timeout = 6 × the consumer's timeout + its batching window
 * (AWS's guidance for SQS event sources), so a batch that retries inside the function is never redelivered
 * while still running.
 */

import { CfnOutput, Duration, Stack, type StackProps, Validations } from "aws-cdk-lib";
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as eventSources from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sqs from "aws-cdk-lib/aws-sqs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import * as tasks from "aws-cdk-lib/aws-stepfunctions-tasks";
import type { Construct } from "constructs";
import { join } from "node:path";

import { SCHEDULE_LOG_GROUP_NAME } from "../logGroupNames.js";
import type { InfraSettings } from "../settings.js";
import type { FunctionFactory } from "./functionFactory.js";
import { retentionOf } from "./retention.js";

export const QUEUE_NAMES = {
  edges: "hlbasis-edges",
  edgesDlq: "hlbasis-edges-dlq",
  trades: "hlbasis-trades.fifo",
  tradesDlq: "hlbasis-trades-dlq.fifo",
} as const;

export const MASTER_KEY_SECRET_NAME = "hlbasis/master-key";

/** How each consumer reads its queue (batch, window, concurrency) and how often a message is retried. */
export const CONSUMERS = {
  edges: {
    timeout: Duration.seconds(30),
    // Many edges per message; one COPY per batch, so larger batches amortise the round trip.
    batchSize: 50,
    maxBatchingWindow: Duration.seconds(5),
    maxConcurrency: 4,
    // 10 × 185 s ≈ 31 min of database outage before a message reaches the DLQ.
    maxReceiveCount: 10,
  },
  trades: {
    timeout: Duration.seconds(30),
    // FIFO event sources take at most 10 messages and no batching window.
    batchSize: 10,
    maxBatchingWindow: undefined,
    maxConcurrency: 2,
    // A poison message holds its group for maxReceiveCount × visibility: 5 × 180 s = 15 min.
    maxReceiveCount: 5,
  },
} as const;

export function visibilityTimeoutFor(consumer: {
  readonly timeout: Duration;
  readonly maxBatchingWindow: Duration | undefined;
}): Duration {
  return Duration.seconds(6 * consumer.timeout.toSeconds() + (consumer.maxBatchingWindow?.toSeconds() ?? 0));
}

/** The rebalancer must finish before the next 30 s tick starts. */
export const REBALANCER_TIMEOUT = Duration.seconds(25);

export interface DatabaseAccess {
  /** Environment naming the database (DATABASE_SECRET_ARN + DATABASE_HOST, or DATABASE_URL). */
  readonly environment: Readonly<Record<string, string>>;
  /** Grants the function whatever reading those credentials needs. */
  readonly grant: (fn: lambda.IFunction) => void;
}

export interface MessagingStackProps extends StackProps {
  readonly settings: InfraSettings;
  readonly functions: FunctionFactory;
  readonly repoRoot: string;
  readonly database: DatabaseAccess;
  /** AWS target: the functions' VPC and security group. */
  readonly vpc?: ec2.IVpc;
  readonly functionsSecurityGroup?: ec2.ISecurityGroup;
}

export class MessagingStack extends Stack {
  readonly edgesQueue: sqs.Queue;
  readonly edgesDlq: sqs.Queue;
  readonly tradesQueue: sqs.Queue;
  readonly tradesDlq: sqs.Queue;
  readonly edgeWriter: lambda.IFunction;
  readonly tradeWriter: lambda.IFunction;
  readonly rebalancer: lambda.IFunction;
  readonly masterKeySecret: secretsmanager.Secret;
  readonly schedule: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: MessagingStackProps) {
    super(scope, id, props);
    const { settings, functions, repoRoot } = props;
    const vpcOptions =
      props.vpc === undefined
        ? {}
        : {
            vpc: props.vpc,
            securityGroups: props.functionsSecurityGroup ? [props.functionsSecurityGroup] : [],
          };

    // --- queues --------------------------------------------------------------------------------------
    this.edgesDlq = new sqs.Queue(this, "EdgesDlq", {
      queueName: QUEUE_NAMES.edgesDlq,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.edgesQueue = new sqs.Queue(this, "Edges", {
      queueName: QUEUE_NAMES.edges,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: visibilityTimeoutFor(CONSUMERS.edges),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.edgesDlq, maxReceiveCount: CONSUMERS.edges.maxReceiveCount },
    });
    this.tradesDlq = new sqs.Queue(this, "TradesDlq", {
      queueName: QUEUE_NAMES.tradesDlq,
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.tradesQueue = new sqs.Queue(this, "Trades", {
      queueName: QUEUE_NAMES.trades,
      fifo: true,
      // The shipper sends an explicit MessageDeduplicationId per event (hotpath/persistence/tradeEventCodec.ts).
      contentBasedDeduplication: false,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: visibilityTimeoutFor(CONSUMERS.trades),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.tradesDlq, maxReceiveCount: CONSUMERS.trades.maxReceiveCount },
    });
    for (const dlq of [this.edgesDlq, this.tradesDlq]) {
      Validations.of(dlq).acknowledge({
        id: "AwsSolutions-SQS3",
        reason: "This queue is itself a dead-letter queue; it has no DLQ of its own.",
      });
    }

    // --- writers -------------------------------------------------------------------------------------
    const edgeWriter = functions.create(this, "EdgeWriter", {
      service: "edge-writer",
      entry: join(repoRoot, "lambdas", "edge-writer", "handler.ts"),
      timeout: CONSUMERS.edges.timeout,
      // Decoding is CPU-bound: memory buys CPU on Lambda.
      memorySize: 1024,
      environment: { ...props.database.environment, DB_STATEMENT_TIMEOUT_MS: "20000" },
      ...vpcOptions,
    });
    edgeWriter.addEventSource(
      new eventSources.SqsEventSource(this.edgesQueue, {
        batchSize: CONSUMERS.edges.batchSize,
        maxBatchingWindow: CONSUMERS.edges.maxBatchingWindow,
        reportBatchItemFailures: true,
        maxConcurrency: CONSUMERS.edges.maxConcurrency,
      }),
    );
    const tradeWriter = functions.create(this, "TradeWriter", {
      service: "trade-writer",
      entry: join(repoRoot, "lambdas", "trade-writer", "handler.ts"),
      timeout: CONSUMERS.trades.timeout,
      memorySize: 512,
      environment: { ...props.database.environment, DB_STATEMENT_TIMEOUT_MS: "20000" },
      ...vpcOptions,
    });
    tradeWriter.addEventSource(
      new eventSources.SqsEventSource(this.tradesQueue, {
        batchSize: CONSUMERS.trades.batchSize,
        reportBatchItemFailures: true,
        maxConcurrency: CONSUMERS.trades.maxConcurrency,
      }),
    );
    props.database.grant(edgeWriter);
    props.database.grant(tradeWriter);
    this.edgeWriter = edgeWriter;
    this.tradeWriter = tradeWriter;

    // --- rebalancer ----------------------------------------------------------------------------------
    this.masterKeySecret = new secretsmanager.Secret(this, "MasterKey", {
      secretName: MASTER_KEY_SECRET_NAME,
      description:
        "hlbasis: the account's MASTER private key (0x + 64 hex), for usdClassTransfer. Set it with " +
        "put-secret-value (docs/deploy-aws.md); only the rebalancer's role can read it.",
    });
    Validations.of(this.masterKeySecret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "An exchange private key cannot be rotated by Secrets Manager: a new key is created on the exchange " +
        "and set by the operator (docs/deploy-aws.md).",
    });
    const rebalancer = functions.create(this, "Rebalancer", {
      service: "rebalancer",
      entry: join(repoRoot, "lambdas", "rebalancer", "handler.ts"),
      timeout: REBALANCER_TIMEOUT,
      memorySize: 512,
      // One tick at a time: a second concurrent tick would be refused by the tick guard anyway.
      reservedConcurrentExecutions: 1,
      environment: {
        ...props.database.environment,
        EXCHANGE_NETWORK: settings.network,
        HLB_MASTER_KEY_SECRET_ARN: this.masterKeySecret.secretArn,
        // One signature per 30 s: the pure-JS signer; the native addons are not in the bundle.
        HLB_NATIVE_CRYPTO: "off",
      },
      ...vpcOptions,
    });
    this.masterKeySecret.grantRead(rebalancer);
    props.database.grant(rebalancer);
    this.rebalancer = rebalancer;

    // --- the 30-second cadence -----------------------------------------------------------------------
    const invokeAt = (offsetSeconds: number) =>
      new tasks.LambdaInvoke(this, `RebalanceAt${offsetSeconds}s`, {
        lambdaFunction: rebalancer,
        // The handler derives the tick from the execution's start time + offset (scheduledHandler.ts).
        payload: sfn.TaskInput.fromObject({
          time: sfn.JsonPath.stringAt("$$.Execution.StartTime"),
          offsetSeconds,
        }),
        payloadResponseOnly: true,
        resultPath: sfn.JsonPath.DISCARD,
        retryOnServiceExceptions: true,
      });
    const first = invokeAt(0);
    const wait = new sfn.Wait(this, "Wait30s", { time: sfn.WaitTime.duration(Duration.seconds(30)) });
    const second = invokeAt(30);
    // A failed first tick must not cancel the second.
    first.addCatch(wait, { resultPath: sfn.JsonPath.DISCARD });
    const scheduleLogs = new logs.LogGroup(this, "ScheduleLogs", {
      logGroupName: SCHEDULE_LOG_GROUP_NAME,
      retention: retentionOf(settings.logRetentionDays),
    });
    this.schedule = new sfn.StateMachine(this, "RebalancerSchedule", {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      definitionBody: sfn.DefinitionBody.fromChainable(first.next(wait).next(second)),
      timeout: Duration.seconds(90),
      tracingEnabled: true,
      logs: { destination: scheduleLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    new events.Rule(this, "RebalancerEveryMinute", {
      description: "Starts the rebalancer's 30 s workflow (EventBridge is minute-granular)",
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.SfnStateMachine(this.schedule)],
    });
    const invokeAck = {
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(
        rebalancer.node.defaultChild as lambda.CfnFunction,
      )}.Arn>:*]`,
      reason:
        "Step Functions' LambdaInvoke grants lambda:InvokeFunction on the rebalancer's ARN and its versions " +
        "(ARN:*); it is this one function.",
    };
    Validations.of(this.schedule).acknowledge(invokeAck);
    Validations.of(this.schedule).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "X-Ray (PutTraceSegments, GetSamplingRules, …) and CloudWatch Logs delivery (CreateLogDelivery, …) " +
        "accept no resource-level permissions; Step Functions requires these statements for tracing and logs.",
    });

    new CfnOutput(this, "EdgesQueueUrl", { value: this.edgesQueue.queueUrl });
    new CfnOutput(this, "TradesQueueUrl", { value: this.tradesQueue.queueUrl });
    new CfnOutput(this, "MasterKeySecretArn", { value: this.masterKeySecret.secretArn });
    new CfnOutput(this, "RebalancerScheduleArn", { value: this.schedule.stateMachineArn });
  }
}
