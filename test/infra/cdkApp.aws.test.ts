/**
 * The AWS target's templates (aws-cdk-lib/assertions), synthesized once with real esbuild bundling and
 * cdk-nag registered: the host, the queues and their consumers, the 30 s schedule, the database, alarms,
 * saved queries, log groups, who may read the master key, and zero cdk-nag findings.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Match, type Template } from "aws-cdk-lib/assertions";
import type { IConstruct } from "constructs";

import { STACK_NAMES } from "../../infra/hlbasisApp.js";
import { LOG_SERVICES, logGroupNameOf } from "../../infra/logGroupNames.js";
import { ALARM_NAMES, QUERY_NAMES } from "../../infra/stacks/observabilityStack.js";
import {
  type CfnResource,
  type SynthesizedApp,
  flatten,
  nagFindings,
  onlyResource,
  resourcesOf,
  removeSynthOutputs,
  synthesize,
} from "./synthFixture.js";

let synth: SynthesizedApp;
const template = (stack: keyof typeof STACK_NAMES): Template => synth.templates.get(STACK_NAMES[stack])!;

beforeAll(() => {
  synth = synthesize({});
}, 120_000);

afterAll(removeSynthOutputs);

describe("target aws: stacks", () => {
  it("splits the app into network, data, messaging, host and observability stacks in ap-northeast-1", () => {
    expect([...synth.templates.keys()].sort()).toEqual(Object.values(STACK_NAMES).sort());
    expect(synth.stacks.messaging.region).toBe("ap-northeast-1");
  });

  it("has no CDK warning or error annotation on any stack", () => {
    expect(synth.messages.filter((message) => message.level !== "info")).toEqual([]);
  });

  it("has zero cdk-nag AwsSolutions findings (errors and warnings), every acknowledgement with a reason", () => {
    expect(nagFindings(synth.app)).toEqual([]);
    const reasons: string[] = [];
    const visit = (node: IConstruct): void => {
      for (const entry of node.node.metadata) {
        if (entry.type === "aws:cdk:acknowledged-rules") {
          reasons.push(...Object.values(entry.data as Record<string, string>));
        }
      }
      node.node.children.forEach(visit);
    };
    visit(synth.app);
    expect(reasons.length).toBeGreaterThan(5);
    for (const reason of reasons) expect(String(reason).length).toBeGreaterThan(40);
  });
});

describe("target aws: hot-path host", () => {
  it("runs on a 2-physical-core Graviton type from Ubuntu 24.04's public SSM parameter", () => {
    const host = template("host");
    const [, instance] = onlyResource(host, "AWS::EC2::Instance");
    expect(instance.Properties["InstanceType"]).toBe("c7g.large");
    expect(instance.Properties["CpuOptions"]).toBeUndefined();
    const parameters = host.toJSON()["Parameters"] as Record<string, { Type: string; Default: string }>;
    const image = Object.values(parameters).find(
      (p) => p.Type === "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
    );
    expect(image?.Default).toBe(
      "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id",
    );
  });

  it("requires IMDSv2, has no key pair, no inbound rule and no port 22 anywhere", () => {
    const host = template("host");
    host.hasResourceProperties("AWS::EC2::LaunchTemplate", {
      LaunchTemplateData: { MetadataOptions: { HttpTokens: "required" } },
    });
    const [, instance] = onlyResource(host, "AWS::EC2::Instance");
    expect(instance.Properties["KeyName"]).toBeUndefined();
    expect(instance.Properties["LaunchTemplate"]).toBeDefined();
    const [, sg] = onlyResource(host, "AWS::EC2::SecurityGroup");
    expect(sg.Properties["SecurityGroupIngress"]).toBeUndefined();
    expect(resourcesOf(host, "AWS::EC2::SecurityGroupIngress")).toEqual([]);
    for (const t of synth.templates.values()) {
      const rules = [
        ...resourcesOf(t, "AWS::EC2::SecurityGroupIngress").map(([, r]) => r.Properties),
        ...resourcesOf(t, "AWS::EC2::SecurityGroup").flatMap(
          ([, r]) => (r.Properties["SecurityGroupIngress"] as Record<string, unknown>[] | undefined) ?? [],
        ),
      ];
      for (const rule of rules) {
        const from = Number(rule["FromPort"] ?? -1);
        const to = Number(rule["ToPort"] ?? -1);
        expect(from <= 22 && 22 <= to, JSON.stringify(rule)).toBe(false);
      }
    }
  });

  it("pins the process at launch, restarts only crashes, and installs the native-addon toolchain", () => {
    const [, instance] = onlyResource(template("host"), "AWS::EC2::Instance");
    const userData = flatten(instance.Properties["UserData"]);
    expect(userData).toContain("CPUAffinity=0 1");
    expect(userData).toContain("Restart=on-failure");
    expect(userData).toMatch(/RestartPreventExitStatus=2 3\n/);
    expect(userData).toContain("python3 make g++");
    expect(userData).toContain("npm ci --omit=dev");
    expect(userData).toContain("systemctl enable --now hlbasis-hotpath.service");
    expect(userData).toContain('"log_group_name": "${Ref:HotpathLogs');
    expect(userData).toMatch(/HLB_AGENT_KEY_SECRET_ARN=\$\{Ref:AgentKey/);
    expect(userData).toMatch(/HLB_CONTROL_TOKEN_SECRET_ARN=\$\{Ref:ControlToken/);
    expect(userData).toMatch(/HLB_SQS_EDGE_QUEUE_URL=\$\{Import:/);
    expect(userData).not.toMatch(/MasterKey/);
  });

  it("lets the host role read its two secrets and send to both queues, with SSM Session Manager", () => {
    const host = template("host");
    const [, role] = onlyResource(host, "AWS::IAM::Role");
    expect(flatten(role.Properties["ManagedPolicyArns"])).toContain("AmazonSSMManagedInstanceCore");
    const [, policy] = onlyResource(host, "AWS::IAM::Policy");
    const statements = (policy.Properties["PolicyDocument"] as { Statement: Record<string, unknown>[] })
      .Statement;
    const secretReads = statements.filter((s) =>
      flatten(s["Action"]).includes("secretsmanager:GetSecretValue"),
    );
    expect(secretReads.map((s) => flatten(s["Resource"])).sort()).toEqual([
      expect.stringMatching(/^\$\{Ref:AgentKey/),
      expect.stringMatching(/^\$\{Ref:ControlToken/),
    ]);
    const sends = statements.filter((s) => flatten(s["Action"]).includes("sqs:SendMessage"));
    expect(sends.map((s) => flatten(s["Resource"])).join(" ")).toMatch(/Edges.*Trades|Trades.*Edges/);
    for (const statement of statements) expect(flatten(statement["Action"])).not.toMatch(/:\*"?$/);
  });

  it("gives x86 types two physical cores with one thread each (CpuOptions)", () => {
    const x86 = synthesize({ hostArchitecture: "x86_64" }, { skipBundling: true });
    const [, instance] = onlyResource(x86.templates.get(STACK_NAMES.host)!, "AWS::EC2::Instance");
    expect(instance.Properties["InstanceType"]).toBe("c7i.xlarge");
    expect(instance.Properties["CpuOptions"]).toEqual({ CoreCount: 2, ThreadsPerCore: 1 });
  }, 120_000);
});

describe("target aws: queues and consumers", () => {
  it("encrypts every queue, refuses non-TLS access, and redrives both queues to their DLQs", () => {
    const messaging = template("messaging");
    const queues = resourcesOf(messaging, "AWS::SQS::Queue");
    expect(queues).toHaveLength(4);
    for (const [, queue] of queues) expect(queue.Properties["SqsManagedSseEnabled"]).toBe(true);
    const policies = resourcesOf(messaging, "AWS::SQS::QueuePolicy");
    expect(policies).toHaveLength(4);
    for (const [, policy] of policies) {
      const statements = (policy.Properties["PolicyDocument"] as { Statement: unknown[] }).Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: "Deny",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
      );
    }
    messaging.hasResourceProperties("AWS::SQS::Queue", {
      QueueName: "hlbasis-edges",
      RedrivePolicy: {
        deadLetterTargetArn: { "Fn::GetAtt": [Match.stringLikeRegexp("^EdgesDlq"), "Arn"] },
        maxReceiveCount: 10,
      },
    });
    messaging.hasResourceProperties("AWS::SQS::Queue", {
      QueueName: "hlbasis-trades.fifo",
      FifoQueue: true,
      ContentBasedDeduplication: false,
      RedrivePolicy: {
        deadLetterTargetArn: { "Fn::GetAtt": [Match.stringLikeRegexp("^TradesDlq"), "Arn"] },
        maxReceiveCount: 5,
      },
    });
  });

  it("sizes batches, windows, partial failures and concurrency per consumer; visibility ≥ 6 × timeout", () => {
    const messaging = template("messaging");
    const functions = Object.fromEntries(resourcesOf(messaging, "AWS::Lambda::Function"));
    const queues = Object.fromEntries(resourcesOf(messaging, "AWS::SQS::Queue"));
    const mappings = resourcesOf(messaging, "AWS::Lambda::EventSourceMapping").map(([, m]) => m.Properties);
    expect(mappings).toHaveLength(2);
    const byQueue = (prefix: string) =>
      mappings.find((m) =>
        (m["EventSourceArn"] as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0]!.startsWith(prefix),
      )!;
    const edges = byQueue("Edges");
    expect(edges).toMatchObject({
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    const trades = byQueue("Trades");
    expect(trades).toMatchObject({
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(trades["MaximumBatchingWindowInSeconds"]).toBeUndefined();
    for (const mapping of [edges, trades]) {
      const fn = functions[(mapping["FunctionName"] as { Ref: string }).Ref] as CfnResource;
      const queueId = (mapping["EventSourceArn"] as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0]!;
      const visibility = Number((queues[queueId] as CfnResource).Properties["VisibilityTimeout"]);
      expect(visibility).toBeGreaterThanOrEqual(6 * Number(fn.Properties["Timeout"]));
    }
  });

  it("writers read the database through the RDS Proxy with the generated secret, over TLS", () => {
    const messaging = template("messaging");
    for (const [, fn] of resourcesOf(messaging, "AWS::Lambda::Function")) {
      const variables = (fn.Properties["Environment"] as { Variables: Record<string, unknown> }).Variables;
      expect(variables["DATABASE_URL"]).toBeUndefined();
      expect(flatten(variables["DATABASE_SECRET_ARN"])).toMatch(/^\$\{Import:.*Secret/);
      expect(flatten(variables["DATABASE_HOST"])).toMatch(/^\$\{Import:.*Proxy/);
      expect(variables["DATABASE_TLS"]).toBe("verify-full");
      expect(fn.Properties).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        LoggingConfig: { LogFormat: "JSON", ApplicationLogLevel: "INFO" },
      });
      expect(fn.Properties["VpcConfig"]).toBeDefined();
    }
  });
});

describe("target aws: rebalancer", () => {
  it("runs with reserved concurrency 1", () => {
    template("messaging").hasResourceProperties("AWS::Lambda::Function", {
      ReservedConcurrentExecutions: 1,
      Environment: { Variables: Match.objectLike({ EXCHANGE_NETWORK: "testnet" }) },
    });
  });

  it("ticks every 30 s: a rule every minute starts an Express workflow invoke → Wait 30 s → invoke", () => {
    const messaging = template("messaging");
    const [machineId, machine] = onlyResource(messaging, "AWS::StepFunctions::StateMachine");
    expect(machine.Properties["StateMachineType"]).toBe("EXPRESS");
    const definition = JSON.parse(flatten(machine.Properties["DefinitionString"])) as {
      StartAt: string;
      States: Record<string, Record<string, unknown>>;
    };
    const first = definition.States[definition.StartAt]!;
    expect(first).toMatchObject({
      Type: "Task",
      Parameters: { "time.$": "$$.Execution.StartTime", offsetSeconds: 0 },
    });
    expect(first["Resource"]).toMatch(/GetAtt:Rebalancer.*\.Arn/);
    const wait = definition.States[first["Next"] as string]!;
    expect(wait).toMatchObject({ Type: "Wait", Seconds: 30 });
    const second = definition.States[wait["Next"] as string]!;
    expect(second).toMatchObject({ Type: "Task", End: true, Parameters: { offsetSeconds: 30 } });
    expect(second["Resource"]).toBe(first["Resource"]);
    messaging.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      Targets: [Match.objectLike({ Arn: { Ref: machineId } })],
    });
  });

  it("is the only role granted secretsmanager:GetSecretValue on the master-key secret", () => {
    const [masterKeyId] = onlyResource(template("messaging"), "AWS::SecretsManager::Secret");
    const grants: string[] = [];
    for (const [stackName, t] of synth.templates) {
      for (const [id, policy] of resourcesOf(t, "AWS::IAM::Policy")) {
        const statements = (policy.Properties["PolicyDocument"] as { Statement: Record<string, unknown>[] })
          .Statement;
        const reads = statements.some(
          (s) =>
            flatten(s["Action"]).includes("secretsmanager:GetSecretValue") &&
            flatten(s["Resource"]).includes(masterKeyId),
        );
        if (reads) grants.push(`${stackName}/${id}:${flatten(policy.Properties["Roles"])}`);
      }
      if (stackName !== STACK_NAMES.messaging) expect(JSON.stringify(t.toJSON())).not.toContain(masterKeyId);
    }
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatch(
      /^Hlbasis-Messaging\/RebalancerServiceRoleDefaultPolicy.*:\$\{Ref:RebalancerServiceRole/,
    );
  });
});

describe("target aws: data", () => {
  it("keeps Postgres encrypted and backed up in isolated subnets, behind a TLS-only RDS Proxy", () => {
    const data = template("data");
    data.hasResourceProperties("AWS::RDS::DBInstance", {
      StorageEncrypted: true,
      BackupRetentionPeriod: 7,
      PubliclyAccessible: false,
      DeletionProtection: true,
      DBInstanceClass: "db.t4g.micro",
    });
    data.hasResourceProperties("AWS::RDS::DBProxy", { RequireTLS: true, EngineFamily: "POSTGRESQL" });
    const [, subnetGroup] = onlyResource(data, "AWS::RDS::DBSubnetGroup");
    expect(flatten(subnetGroup.Properties["SubnetIds"])).toMatch(/dataSubnet1.*dataSubnet2/);
    data.hasResourceProperties("Custom::HlbasisSchemaMigrations", {
      MigrationsHash: Match.stringLikeRegexp("^[0-9a-f]{64}$"),
    });
  });
});

describe("target aws: observability", () => {
  it("has every named alarm, each notifying the alarm topic", () => {
    const alarms = resourcesOf(template("observability"), "AWS::CloudWatch::Alarm").map(
      ([, a]) => a.Properties,
    );
    expect(alarms.map((a) => a["AlarmName"]).sort()).toEqual(Object.values(ALARM_NAMES).sort());
    for (const alarm of alarms) expect(flatten(alarm["AlarmActions"])).toMatch(/Ref:Alarms/);
  });

  it("alarms on RebalancerFailures (hlbasis, network) Sum ≥ 1 and on its absence", () => {
    const observability = template("observability");
    observability.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: ALARM_NAMES.rebalancerFailures,
      Namespace: "hlbasis",
      MetricName: "RebalancerFailures",
      Dimensions: [{ Name: "network", Value: "testnet" }],
      Statistic: "Sum",
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
    });
    observability.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: ALARM_NAMES.rebalancerNoTicks,
      MetricName: "RebalancerFailures",
      TreatMissingData: "breaching",
    });
  });

  it("derives the hot-path metrics from its JSON status lines", () => {
    const filters = resourcesOf(template("observability"), "AWS::Logs::MetricFilter").map(
      ([, f]) => f.Properties,
    );
    expect(
      filters.map((f) => (f["MetricTransformations"] as { MetricName: string }[])[0]!.MetricName).sort(),
    ).toEqual(["HotpathBreakerOpenMaxMs", "HotpathReady", "HotpathResidualExposureUsdc"]);
    for (const filter of filters) {
      expect(flatten(filter["LogGroupName"])).toMatch(/HotpathLogs/);
      expect(filter["FilterPattern"]).toContain('$.message = "hotpath status"');
    }
  });

  it("saves the four Logs Insights queries", () => {
    const queries = resourcesOf(template("observability"), "AWS::Logs::QueryDefinition").map(
      ([, q]) => q.Properties,
    );
    expect(queries.map((q) => q["Name"]).sort()).toEqual(Object.values(QUERY_NAMES).sort());
    const byName: Record<string, string> = Object.fromEntries(
      queries.map((q) => [String(q["Name"]), String(q["QueryString"])]),
    );
    expect(byName[QUERY_NAMES.rebalancerDecisions]).toContain('filter message = "rebalancer tick"');
    expect(byName[QUERY_NAMES.rebalancerDecisions]).toContain("outcome");
    expect(byName[QUERY_NAMES.edgesPerMinuteByDecision]).toMatch(/sum\(edges\.open\).*by bin\(1m\)/);
    expect(byName[QUERY_NAMES.errorsByService]).toMatch(/by service/);
    expect(byName[QUERY_NAMES.intentLatency]).toContain("latencyUs.tickToWire");
  });

  it("names every service's log group /hlbasis/<service>, with retention", () => {
    const groups = [...synth.templates.values()].flatMap((t) =>
      resourcesOf(t, "AWS::Logs::LogGroup").map(([, g]) => g.Properties),
    );
    for (const service of LOG_SERVICES) {
      const group = groups.find((g) => g["LogGroupName"] === logGroupNameOf(service));
      expect(group, service).toBeDefined();
      expect(group!["RetentionInDays"]).toBe(30);
    }
  });
});
