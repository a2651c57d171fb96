/**
 * Observability (AWS target): alarms → one SNS topic, a dashboard, and saved Logs Insights queries.
 *
 * Alarms: both DLQs not empty; the oldest message of each queue too old; errors of each Lambda; the
 * rebalancer's `RebalancerFailures` (EMF, namespace `hlbasis`, dimension `network`) and its absence (every
 * tick emits the metric, so no data means no ticks); the schedule's failed executions; and from the hot
 * path's log lines (metric filters, see infra/hotpathMetrics.ts): not ready, breaker open too long,
 * residual exposure too large.
 */

import { Duration, Stack, type StackProps } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as cwActions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type * as sfn from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";

import {
  EDGE_DECISIONS,
  HOTPATH_STATUS_MESSAGE,
  HOTPATH_STATUS_METRICS,
  INTENT_LATENCY_MESSAGE,
  LATENCY_STAGE_FIELDS,
  METRIC_NAMESPACE,
} from "../hotpathMetrics.js";
import { LOG_GROUP_NAMES, LOG_SERVICES } from "../logGroupNames.js";
import type { InfraSettings } from "../settings.js";

/** Every alarm's name; the tests and docs/deploy-aws.md list the same. */
export const ALARM_NAMES = {
  edgesDlqDepth: "hlbasis-edges-dlq-not-empty",
  tradesDlqDepth: "hlbasis-trades-dlq-not-empty",
  edgesOldestMessage: "hlbasis-edges-oldest-message-age",
  tradesOldestMessage: "hlbasis-trades-oldest-message-age",
  edgeWriterErrors: "hlbasis-edge-writer-errors",
  tradeWriterErrors: "hlbasis-trade-writer-errors",
  rebalancerErrors: "hlbasis-rebalancer-errors",
  rebalancerFailures: "hlbasis-rebalancer-failures",
  rebalancerNoTicks: "hlbasis-rebalancer-no-ticks",
  rebalancerScheduleFailed: "hlbasis-rebalancer-schedule-failed",
  hotpathNotReady: "hlbasis-hotpath-not-ready",
  hotpathBreakerOpen: "hlbasis-hotpath-breaker-open-too-long",
  hotpathResidualExposure: "hlbasis-hotpath-residual-exposure",
} as const;

export const QUERY_NAMES = {
  errorsByService: "hlbasis/errors-by-service",
  edgesPerMinuteByDecision: "hlbasis/edges-per-minute-by-decision",
  intentLatency: "hlbasis/intents-latency-breakdown",
  rebalancerDecisions: "hlbasis/rebalancer-decisions",
} as const;

/** A breaker open this long (ms, continuously) is worth a page: the market has been untradeable a while. */
export const BREAKER_OPEN_ALARM_MS = 120_000;

export interface ObservabilityStackProps extends StackProps {
  readonly settings: InfraSettings;
  readonly edgesQueue: sqs.IQueue;
  readonly edgesDlq: sqs.IQueue;
  readonly tradesQueue: sqs.IQueue;
  readonly tradesDlq: sqs.IQueue;
  readonly edgeWriter: lambda.IFunction;
  readonly tradeWriter: lambda.IFunction;
  readonly rebalancer: lambda.IFunction;
  readonly schedule: sfn.IStateMachine;
  readonly hotpathLogGroup: logs.ILogGroup;
}

export class ObservabilityStack extends Stack {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { settings } = props;

    // CloudWatch can publish to an encrypted topic only with a customer-managed key that lets it.
    const key = new kms.Key(this, "AlarmTopicKey", {
      description: "hlbasis alarm topic encryption",
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        conditions: { StringEquals: { "aws:SourceAccount": this.account } },
      }),
    );
    this.topic = new sns.Topic(this, "Alarms", {
      topicName: "hlbasis-alarms",
      masterKey: key,
      enforceSSL: true,
    });
    if (settings.alarmEmail !== undefined) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(settings.alarmEmail));
    }
    const action = new cwActions.SnsAction(this.topic);
    const alarm = (id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, id, props);
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    // --- queues --------------------------------------------------------------------------------------
    const oneMinute = Duration.minutes(1);
    for (const [id, queue, name] of [
      ["EdgesDlqDepth", props.edgesDlq, ALARM_NAMES.edgesDlqDepth],
      ["TradesDlqDepth", props.tradesDlq, ALARM_NAMES.tradesDlqDepth],
    ] as const) {
      alarm(id, {
        alarmName: name,
        alarmDescription: `Messages reached ${queue.queueName}: they were not written to Postgres (see the consumer's ERROR lines, redrive after fixing).`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: oneMinute, statistic: "Maximum" }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    for (const [id, queue, name, seconds] of [
      ["EdgesOldestMessage", props.edgesQueue, ALARM_NAMES.edgesOldestMessage, 600],
      ["TradesOldestMessage", props.tradesQueue, ALARM_NAMES.tradesOldestMessage, 300],
    ] as const) {
      alarm(id, {
        alarmName: name,
        alarmDescription: `The oldest message in ${queue.queueName} waited ≥ ${seconds} s: the writer is failing or falling behind.`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: oneMinute, statistic: "Maximum" }),
        threshold: seconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    // --- functions -----------------------------------------------------------------------------------
    for (const [id, fn, name] of [
      ["EdgeWriterErrors", props.edgeWriter, ALARM_NAMES.edgeWriterErrors],
      ["TradeWriterErrors", props.tradeWriter, ALARM_NAMES.tradeWriterErrors],
      ["RebalancerErrors", props.rebalancer, ALARM_NAMES.rebalancerErrors],
    ] as const) {
      alarm(id, {
        alarmName: name,
        alarmDescription: "The function threw or timed out (partial batch failures are not errors).",
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    const rebalancerFailures = new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: "RebalancerFailures",
      dimensionsMap: { network: settings.network },
      period: oneMinute,
      statistic: "Sum",
    });
    alarm("RebalancerFailures", {
      alarmName: ALARM_NAMES.rebalancerFailures,
      alarmDescription:
        "A rebalancer tick failed, was rejected or ended unknown (see `rebalancer tick` lines).",
      metric: rebalancerFailures,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm("RebalancerNoTicks", {
      alarmName: ALARM_NAMES.rebalancerNoTicks,
      alarmDescription:
        "No rebalancer tick reported for 3 minutes: every tick emits RebalancerFailures (0 or 1).",
      metric: rebalancerFailures.with({ statistic: "SampleCount" }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    alarm("RebalancerScheduleFailed", {
      alarmName: ALARM_NAMES.rebalancerScheduleFailed,
      alarmDescription: "The 30 s workflow failed or timed out (both invokes may be missing).",
      metric: props.schedule.metricFailed({ period: Duration.minutes(5), statistic: "Sum" }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // --- hot path (metric filters over its JSON lines) -----------------------------------------------
    const statusMetric = (spec: (typeof HOTPATH_STATUS_METRICS)[keyof typeof HOTPATH_STATUS_METRICS]) => {
      const filter = new logs.MetricFilter(this, `${spec.metricName}Filter`, {
        logGroup: props.hotpathLogGroup,
        filterName: `hlbasis-${spec.metricName}`,
        filterPattern: logs.FilterPattern.all(
          logs.FilterPattern.stringValue("$.message", "=", HOTPATH_STATUS_MESSAGE),
          logs.FilterPattern.exists(`$.${spec.field}`),
        ),
        metricNamespace: METRIC_NAMESPACE,
        metricName: spec.metricName,
        metricValue: `$.${spec.field}`,
        unit: spec.unit as cloudwatch.Unit,
      });
      return filter;
    };
    const ready = statusMetric(HOTPATH_STATUS_METRICS.ready);
    const breaker = statusMetric(HOTPATH_STATUS_METRICS.breakerOpen);
    const exposure = statusMetric(HOTPATH_STATUS_METRICS.residualExposure);
    alarm("HotpathNotReady", {
      alarmName: ALARM_NAMES.hotpathNotReady,
      alarmDescription:
        "The hot path reported not ready, or reported nothing, for 3 minutes (process down, crash loop, feed lost).",
      metric: ready.metric({ period: oneMinute, statistic: "Minimum" }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    alarm("HotpathBreakerOpen", {
      alarmName: ALARM_NAMES.hotpathBreakerOpen,
      alarmDescription: `A market's breaker has been open ≥ ${BREAKER_OPEN_ALARM_MS / 1000} s (stale or skewed feed, crossed book, resync).`,
      metric: breaker.metric({ period: oneMinute, statistic: "Maximum" }),
      threshold: BREAKER_OPEN_ALARM_MS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm("HotpathResidualExposure", {
      alarmName: ALARM_NAMES.hotpathResidualExposure,
      alarmDescription: `Unhedged notional above ${settings.residualExposureAlarmUsdc} USDC for 3 minutes: a leg did not fill and the hedge did not catch up.`,
      metric: exposure.metric({ period: oneMinute, statistic: "Maximum" }),
      threshold: settings.residualExposureAlarmUsdc,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // --- saved Logs Insights queries -----------------------------------------------------------------
    const serviceGroups = LOG_SERVICES.map((service) =>
      logs.LogGroup.fromLogGroupName(this, `Group-${service}`, LOG_GROUP_NAMES[service]),
    );
    new logs.QueryDefinition(this, "ErrorsByService", {
      queryDefinitionName: QUERY_NAMES.errorsByService,
      logGroups: serviceGroups,
      queryString: new logs.QueryString({
        fields: ["@timestamp", "service", "level", "message", "err.message"],
        filterStatements: ['level in ["ERROR", "FATAL"]'],
        statsStatements: ["count(*) as errors by service, bin(5m)"],
      }),
    });
    new logs.QueryDefinition(this, "EdgesPerMinuteByDecision", {
      queryDefinitionName: QUERY_NAMES.edgesPerMinuteByDecision,
      logGroups: [props.hotpathLogGroup],
      queryString: new logs.QueryString({
        filterStatements: [`message = "${HOTPATH_STATUS_MESSAGE}"`],
        statsStatements: [
          `${EDGE_DECISIONS.map((decision) => `sum(edges.${decision}) as ${decision}`).join(", ")} by bin(1m)`,
        ],
      }),
    });
    new logs.QueryDefinition(this, "IntentLatency", {
      queryDefinitionName: QUERY_NAMES.intentLatency,
      logGroups: [props.hotpathLogGroup],
      queryString: new logs.QueryString({
        fields: [
          "@timestamp",
          "intentId",
          "coin",
          "kind",
          "status",
          ...LATENCY_STAGE_FIELDS.map((stage) => `latencyUs.${stage}`),
        ],
        filterStatements: [`message = "${INTENT_LATENCY_MESSAGE}"`],
        sort: "@timestamp desc",
        limit: 200,
      }),
    });
    new logs.QueryDefinition(this, "RebalancerDecisions", {
      queryDefinitionName: QUERY_NAMES.rebalancerDecisions,
      logGroups: [logs.LogGroup.fromLogGroupName(this, "RebalancerGroup", LOG_GROUP_NAMES.rebalancer)],
      queryString: new logs.QueryString({
        fields: [
          "@timestamp",
          "tickId",
          "outcome",
          "action",
          "amountUsdc",
          "toPerp",
          "reason",
          "err.message",
        ],
        filterStatements: ['message = "rebalancer tick"'],
        sort: "@timestamp desc",
        limit: 500,
      }),
    });

    // --- dashboard -----------------------------------------------------------------------------------
    const dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      dashboardName: "hlbasis",
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: "Alarms", alarms: this.alarms, width: 24, height: 4 }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Hot path: ready (1) / breaker open (ms)",
        left: [ready.metric({ period: oneMinute, statistic: "Minimum" })],
        right: [breaker.metric({ period: oneMinute, statistic: "Maximum" })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: "Hot path: residual exposure (USDC)",
        left: [exposure.metric({ period: oneMinute, statistic: "Maximum" })],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Queues: visible messages",
        left: [props.edgesQueue, props.tradesQueue, props.edgesDlq, props.tradesDlq].map((queue) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: oneMinute, statistic: "Maximum" }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: "Queues: oldest message age (s)",
        left: [props.edgesQueue, props.tradesQueue].map((queue) =>
          queue.metricApproximateAgeOfOldestMessage({ period: oneMinute, statistic: "Maximum" }),
        ),
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Lambdas: invocations / errors",
        left: [props.edgeWriter, props.tradeWriter, props.rebalancer].map((fn) =>
          fn.metricInvocations({ period: Duration.minutes(5) }),
        ),
        right: [props.edgeWriter, props.tradeWriter, props.rebalancer].map((fn) =>
          fn.metricErrors({ period: Duration.minutes(5) }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: "Lambdas: duration p99 (ms)",
        left: [props.edgeWriter, props.tradeWriter, props.rebalancer].map((fn) =>
          fn.metricDuration({ period: Duration.minutes(5), statistic: "p99" }),
        ),
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Rebalancer: failures / transfers per minute",
        left: [rebalancerFailures],
        right: [
          new cloudwatch.Metric({
            namespace: METRIC_NAMESPACE,
            metricName: "RebalancerTransfers",
            dimensionsMap: { network: settings.network },
            period: oneMinute,
            statistic: "Sum",
          }),
        ],
        width: 12,
      }),
      new cloudwatch.LogQueryWidget({
        title: "Rebalancer: last ticks",
        logGroupNames: [LOG_GROUP_NAMES.rebalancer],
        queryLines: [
          "fields @timestamp, outcome, action, amountUsdc, reason",
          'filter message = "rebalancer tick"',
          "sort @timestamp desc",
          "limit 20",
        ],
        width: 12,
      }),
    );
  }
}
