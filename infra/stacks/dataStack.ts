/**
 * The data tier (AWS target only): RDS for PostgreSQL in the isolated subnets, its generated credentials in
 * Secrets Manager, RDS Proxy in front of it for the Lambdas (many short-lived connections → a few server
 * sessions), and the schema migrations applied by a custom resource on every deploy that changes them.
 */

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { CustomResource, Duration, RemovalPolicy, Stack, type StackProps, Validations } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as rds from "aws-cdk-lib/aws-rds";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";

import type { InfraSettings } from "../settings.js";
import { type FunctionFactory } from "./functionFactory.js";
import { SUBNET_GROUPS } from "./networkStack.js";

export const DATABASE_NAME = "hlbasis";
export const DATABASE_SECRET_NAME = "hlbasis/database";

export interface DataStackProps extends StackProps {
  readonly settings: InfraSettings;
  readonly vpc: ec2.IVpc;
  readonly functionsSecurityGroup: ec2.ISecurityGroup;
  readonly functions: FunctionFactory;
  readonly repoRoot: string;
}

export class DataStack extends Stack {
  readonly databaseSecret: secretsmanager.ISecret;
  readonly proxy: rds.DatabaseProxy;
  readonly instance: rds.DatabaseInstance;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { settings, vpc } = props;

    const databaseSecurityGroup = new ec2.SecurityGroup(this, "DatabaseSecurityGroup", {
      vpc,
      description: "hlbasis Postgres: from RDS Proxy and the migrator only",
      allowAllOutbound: false,
    });
    const proxySecurityGroup = new ec2.SecurityGroup(this, "ProxySecurityGroup", {
      vpc,
      description: "hlbasis RDS Proxy: from the Lambdas only",
      allowAllOutbound: true,
    });

    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });
    const parameterGroup = new rds.ParameterGroup(this, "Parameters", {
      engine,
      description: "hlbasis: TLS required",
      parameters: { "rds.force_ssl": "1" },
    });

    this.instance = new rds.DatabaseInstance(this, "Postgres", {
      engine,
      parameterGroup,
      instanceType: new ec2.InstanceType(settings.dbInstanceType),
      vpc,
      vpcSubnets: { subnetGroupName: SUBNET_GROUPS.data },
      securityGroups: [databaseSecurityGroup],
      credentials: rds.Credentials.fromGeneratedSecret("hlbasis", { secretName: DATABASE_SECRET_NAME }),
      databaseName: DATABASE_NAME,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 20,
      maxAllocatedStorage: 100,
      storageEncrypted: true,
      backupRetention: Duration.days(7),
      deleteAutomatedBackups: false,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      multiAz: false,
      publiclyAccessible: false,
      iamAuthentication: true,
      autoMinorVersionUpgrade: true,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      cloudwatchLogsExports: ["postgresql"],
    });
    this.databaseSecret = this.instance.secret!;

    this.proxy = this.instance.addProxy("Proxy", {
      secrets: [this.databaseSecret],
      vpc,
      vpcSubnets: { subnetGroupName: SUBNET_GROUPS.data },
      securityGroups: [proxySecurityGroup],
      requireTLS: true,
      // Idle client connections are dropped after this; Lambdas reconnect on their next batch.
      idleClientTimeout: Duration.minutes(15),
      maxConnectionsPercent: 80,
    });
    this.instance.connections.allowDefaultPortFrom(proxySecurityGroup, "RDS Proxy");
    proxySecurityGroup.addIngressRule(props.functionsSecurityGroup, ec2.Port.tcp(5432), "hlbasis Lambdas");

    // Migrations go to the instance, not the proxy: DDL and node-pg-migrate's advisory lock want one session.
    const migrator = props.functions.create(this, "Migrator", {
      service: "migrator",
      entry: join(props.repoRoot, "infra", "functions", "migratorHandler.ts"),
      timeout: Duration.minutes(5),
      memorySize: 512,
      environment: {
        DATABASE_SECRET_ARN: this.databaseSecret.secretArn,
        DATABASE_TLS: "verify-full",
        // Node 20+ Lambda runtimes do not trust the RDS CA unless told to load the runtime's bundle.
        NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem",
      },
      vpc,
      securityGroups: [props.functionsSecurityGroup],
      copyMigrations: true,
    });
    this.databaseSecret.grantRead(migrator);
    this.instance.connections.allowDefaultPortFrom(props.functionsSecurityGroup, "schema migrator");

    const migrations = new CustomResource(this, "SchemaMigrations", {
      serviceToken: migrator.functionArn,
      resourceType: "Custom::HlbasisSchemaMigrations",
      // A changed or added migration file changes this hash: CloudFormation sends Update, the migrator runs.
      properties: { MigrationsHash: migrationsHash(props.repoRoot) },
    });
    migrations.node.addDependency(this.instance, this.proxy);

    Validations.of(this.instance).acknowledge(
      {
        id: "AwsSolutions-RDS3",
        reason:
          "Single-AZ by default for cost: the trading loop does not depend on Postgres (the hot path ships to " +
          "SQS, which buffers for days), and restores come from the 7-day automated backups.",
      },
      {
        id: "AwsSolutions-RDS11",
        reason:
          "Port 5432 kept: RDS Proxy listens on 5432 and the generated secret's port is the instance's; " +
          "the instance is reachable only from the proxy and migrator security groups in isolated subnets.",
      },
    );
    Validations.of(this.instance).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "No automatic rotation: the Lambdas read the secret once per execution environment and RDS Proxy " +
        "holds it; rotate by hand with docs/deploy-aws.md (set the value, redeploy the functions).",
    });
  }
}

/** SHA-256 over every migration file's name and content, in order. */
export function migrationsHash(repoRoot: string): string {
  const dir = join(repoRoot, "lambdas", "db", "migrations");
  const hash = createHash("sha256");
  for (const name of readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .sort()) {
    hash
      .update(name)
      .update("\0")
      .update(readFileSync(join(dir, name)))
      .update("\0");
  }
  return hash.digest("hex");
}
