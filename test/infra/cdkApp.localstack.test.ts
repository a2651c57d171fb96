/**
 * The LocalStack target: the queues, DLQs, Lambdas, event sources, master-key secret, the 30 s Step
 * Functions loop and the log groups — without the VPC, RDS, the EC2 host or the alarms — with the compose
 * Postgres named by `DATABASE_URL`. Also: the cdk-nag check used by both targets does catch findings.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { App, Stack, Validations } from "aws-cdk-lib";
import * as sqs from "aws-cdk-lib/aws-sqs";

import { STACK_NAMES } from "../../infra/hlbasisApp.js";
import { LOG_GROUP_NAMES } from "../../infra/logGroupNames.js";
import {
  type SynthesizedApp,
  flatten,
  nagFindings,
  onlyResource,
  resourcesOf,
  removeSynthOutputs,
  synthesize,
  tempOutdir,
} from "./synthFixture.js";

const DATABASE_URL = "postgres://hlbasis:hlbasis@postgres:5432/hlbasis";
let synth: SynthesizedApp;

beforeAll(() => {
  synth = synthesize({ target: "localstack", databaseUrl: DATABASE_URL, region: "us-east-1" });
}, 120_000);

afterAll(removeSynthOutputs);

describe("target localstack", () => {
  it("synthesizes only the messaging stack, in the requested region, with zero cdk-nag findings", () => {
    expect([...synth.templates.keys()]).toEqual([STACK_NAMES.messaging]);
    expect(synth.stacks.messaging.region).toBe("us-east-1");
    expect(nagFindings(synth.app)).toEqual([]);
  });

  it("keeps queues, DLQs, event sources, the schedule, the master-key secret and the log groups", () => {
    const t = synth.templates.get(STACK_NAMES.messaging)!;
    expect(resourcesOf(t, "AWS::SQS::Queue")).toHaveLength(4);
    expect(resourcesOf(t, "AWS::Lambda::EventSourceMapping")).toHaveLength(2);
    onlyResource(t, "AWS::StepFunctions::StateMachine");
    t.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 minute)" });
    onlyResource(t, "AWS::SecretsManager::Secret");
    const groups = resourcesOf(t, "AWS::Logs::LogGroup").map(([, g]) => g.Properties["LogGroupName"]);
    for (const service of ["edge-writer", "trade-writer", "rebalancer"] as const) {
      expect(groups).toContain(LOG_GROUP_NAMES[service]);
    }
  });

  it("points every function at DATABASE_URL, outside any VPC", () => {
    const t = synth.templates.get(STACK_NAMES.messaging)!;
    const fns = resourcesOf(t, "AWS::Lambda::Function");
    expect(fns).toHaveLength(3);
    for (const [, fn] of fns) {
      const variables = (fn.Properties["Environment"] as { Variables: Record<string, unknown> }).Variables;
      expect(variables["DATABASE_URL"]).toBe(DATABASE_URL);
      expect(variables["DATABASE_SECRET_ARN"]).toBeUndefined();
      expect(fn.Properties["VpcConfig"]).toBeUndefined();
    }
    expect(flatten(t.toJSON())).not.toMatch(/AWS::EC2::|AWS::RDS::/);
  });

  it("refuses to synthesize without databaseUrl", () => {
    expect(() => synthesize({ target: "localstack" }, { skipBundling: true })).toThrow(
      /databaseUrl: required/,
    );
  });
});

describe("the cdk-nag check", () => {
  it("reports an unencrypted, DLQ-less queue, and stops reporting what is acknowledged", () => {
    const app = new App({ outdir: tempOutdir() });
    const stack = new Stack(app, "NagProbe");
    const queue = new sqs.Queue(stack, "Plain", { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const rules = nagFindings(app).map((finding) => finding.rule);
    expect(rules).toEqual(
      expect.arrayContaining(["AwsSolutions-SQS2", "AwsSolutions-SQS3", "AwsSolutions-SQS4"]),
    );
    Validations.of(queue).acknowledge({ id: "AwsSolutions-SQS3", reason: "probe: acknowledged on purpose" });
    expect(nagFindings(app).map((finding) => finding.rule)).not.toContain("AwsSolutions-SQS3");
  });
});
