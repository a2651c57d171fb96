/**
 * Every Lambda of the app is built the same way: NodejsFunction bundled locally by esbuild (no Docker) as
 * one ESM file, arm64, the newest Node runtime, its own log group `/hlbasis/<service>` with retention, and
 * JSON log format with application-level filtering (pino writes upper-case string levels, which is what
 * Lambda's filter reads).
 */

import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";

import { type LogService, logGroupNameOf } from "../logGroupNames.js";
import { retentionOf } from "./retention.js";

/** The newest Lambda Node.js runtime (cdk-nag AwsSolutions-L1 flags older ones). */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface FunctionOptions {
  readonly service: LogService;
  readonly entry: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly reservedConcurrentExecutions?: number;
  /** In a VPC (AWS target): the functions' private subnets and security groups. */
  readonly vpc?: ec2.IVpc;
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** Copy `lambdas/db/migrations/` next to the bundle (`migrate.ts` finds them beside itself). */
  readonly copyMigrations?: boolean;
}

export interface FunctionFactorySettings {
  readonly repoRoot: string;
  readonly logRetentionDays: number;
  /** `aws`: in the VPC's `functions` subnets; `localstack`: no VPC. */
  readonly subnetGroupName: string | undefined;
}

export class FunctionFactory {
  constructor(private readonly settings: FunctionFactorySettings) {}

  create(scope: Construct, id: string, options: FunctionOptions): nodejs.NodejsFunction {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      logGroupName: logGroupNameOf(options.service),
      retention: retentionOf(this.settings.logRetentionDays),
      // Kept when the stack goes: trading records outlive a redeploy (delete by hand before recreating).
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const repoRoot = this.settings.repoRoot;
    const fn = new nodejs.NodejsFunction(scope, id, {
      entry: options.entry,
      handler: "handler",
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      timeout: options.timeout,
      memorySize: options.memorySize,
      ...(options.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: options.reservedConcurrentExecutions }),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: {
        LOG_LEVEL: "info",
        NODE_OPTIONS: "--enable-source-maps",
        ...options.environment,
      },
      ...(options.vpc === undefined
        ? {}
        : {
            vpc: options.vpc,
            vpcSubnets: { subnetGroupName: this.settings.subnetGroupName ?? "functions" },
            securityGroups: options.securityGroups ?? [],
          }),
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}/package-lock.json`,
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: "node24",
        mainFields: ["module", "main"],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // CommonJS dependencies (pg, pino) call require(); an ESM bundle needs one.
        banner:
          "import { createRequire as __hlbCreateRequire } from 'node:module'; const require = __hlbCreateRequire(import.meta.url);",
        // The runtime's AWS SDK v3; pg's optional native binding is never used.
        externalModules: ["@aws-sdk/*", "pg-native"],
        ...(options.copyMigrations === true
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) => [
                  `cp -r "${inputDir}/lambdas/db/migrations" "${outputDir}/migrations"`,
                ],
              },
            }
          : {}),
      },
    });
    Validations.of(fn).acknowledge({
      id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      reason:
        "AWS-managed execution policy: CreateLogStream/PutLogEvents for the function's own log group only " +
        "in practice (the group is created by the stack with its retention).",
    });
    if (options.vpc !== undefined) {
      Validations.of(fn).acknowledge({
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]",
        reason:
          "AWS-managed VPC policy: the ENI actions Lambda needs to attach the function to its subnets; " +
          "they act on network interfaces, not on data.",
      });
    }
    return fn;
  }
}

/** Default timeouts, with the rule the queues derive their visibility timeout from. */
export const WRITER_TIMEOUT = Duration.seconds(30);
