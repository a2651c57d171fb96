/**
 * The hot-path host (AWS target only): one EC2 instance with exactly two physical cores running the hot path
 * under systemd, pinned to both at launch.
 *
 * - Graviton `c7g.large` by default (2 vCPU = 2 physical cores); x86 types get CpuOptions
 *   CoreCount = 2, ThreadsPerCore = 1 (a vCPU there is a hyperthread).
 * - Ubuntu 24.04 (glibc 2.39: the current uWebSockets.js build needs ≥ 2.38), from Canonical's public SSM
 *   parameter, resolved at deploy time (no lookup at synth).
 * - IMDSv2 only, no key pair, no inbound rule at all: operators use SSM Session Manager (and SSM port
 *   forwarding to the loopback-bound control port).
 * - Public subnet with a public IP: the exchange is on the internet and the host talks to it directly (no
 *   NAT hop on the order path); the security group admits nothing inbound, so the address is unreachable.
 * - Its role reads the agent-key and control-token secrets, the config parameter and the code asset, sends
 *   to both queues — and nothing else: no access to the master key.
 */

import { CfnOutput, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { DockerImage } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3assets from "aws-cdk-lib/aws-s3-assets";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import * as ssm from "aws-cdk-lib/aws-ssm";
import { AssetHashType } from "aws-cdk-lib";
import type { Construct } from "constructs";

import { CONFIG_ERROR_EXIT_STATUS } from "../../hotpath/config/load.js";
import { ReconciliationError } from "../../hotpath/execution/reconcile/errors.js";
import { bundleHotpath } from "../host/hotpathBundle.js";
import { HOST_LAYOUT } from "../host/hostLayout.js";
import { hostUserDataLines } from "../host/userData.js";
import { logGroupNameOf } from "../logGroupNames.js";
import type { InfraSettings } from "../settings.js";
import { SUBNET_GROUPS } from "./networkStack.js";
import { retentionOf } from "./retention.js";

export const AGENT_KEY_SECRET_NAME = "hlbasis/agent-key";
export const CONTROL_TOKEN_SECRET_NAME = "hlbasis/control-token";
export const HOTPATH_CONFIG_PARAMETER = "/hlbasis/hotpath/config";

/** Exit statuses the hot path uses on purpose: restarting would only repeat the refusal. */
export const NO_RESTART_EXIT_STATUSES = [CONFIG_ERROR_EXIT_STATUS, ReconciliationError.EXIT_CODE] as const;

const UBUNTU_2404_AMI_PARAMETER = {
  arm64: "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id",
  x86_64: "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
} as const;

export interface HostStackProps extends StackProps {
  readonly settings: InfraSettings;
  readonly vpc: ec2.IVpc;
  readonly edgesQueue: sqs.IQueue;
  readonly tradesQueue: sqs.IQueue;
  readonly repoRoot: string;
}

export class HostStack extends Stack {
  readonly instance: ec2.Instance;
  readonly logGroup: logs.LogGroup;
  readonly agentKeySecret: secretsmanager.Secret;
  readonly controlTokenSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: HostStackProps) {
    super(scope, id, props);
    const { settings, vpc } = props;

    this.logGroup = new logs.LogGroup(this, "HotpathLogs", {
      logGroupName: logGroupNameOf("hotpath"),
      retention: retentionOf(settings.logRetentionDays),
    });

    this.agentKeySecret = new secretsmanager.Secret(this, "AgentKey", {
      secretName: AGENT_KEY_SECRET_NAME,
      description:
        "hlbasis: the API (agent) wallet's private key the hot path signs orders with (0x + 64 hex)",
    });
    this.controlTokenSecret = new secretsmanager.Secret(this, "ControlToken", {
      secretName: CONTROL_TOKEN_SECRET_NAME,
      description: "hlbasis: bearer token of the hot path's control API (≥ 16 printable characters)",
      // Usable as generated: 64 characters without spaces or quotes.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.agentKeySecret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "An exchange agent key is rotated on the exchange (approve a new agent, set it, restart), not by a " +
        "Secrets Manager rotation Lambda (docs/deploy-aws.md).",
    });
    Validations.of(this.controlTokenSecret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "The hot path reads the token at start-up only; rotation is put-secret-value + restart " +
        "(docs/deploy-aws.md), which a rotation Lambda could not do.",
    });

    const configParameter = new ssm.StringParameter(this, "HotpathConfig", {
      parameterName: HOTPATH_CONFIG_PARAMETER,
      description:
        "hlbasis hot path JSON configuration file (HLB_CONFIG_FILE); fetched at every service start",
      // Operator tunables go here (strategy, risk, coins); keys never do.
      stringValue: JSON.stringify({ coins: ["HYPE"] }),
    });

    const asset = new s3assets.Asset(this, "HotpathCode", {
      path: `${props.repoRoot}/hotpath`,
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never used: local bundling below always succeeds or throws.
        image: DockerImage.fromRegistry("public.ecr.aws/docker/library/node:24"),
        local: {
          tryBundle(outputDir: string) {
            bundleHotpath({ repoRoot: props.repoRoot, outputDir, nodeMajor: settings.nodeMajor });
            return true;
          },
        },
      },
    });

    const securityGroup = new ec2.SecurityGroup(this, "HostSecurityGroup", {
      vpc,
      description: "hlbasis hot path: no inbound at all; outbound HTTPS (exchange, AWS APIs) and HTTP (apt)",
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), "exchange API/WS and AWS APIs");
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), "Ubuntu package mirrors (apt)");

    const role = new iam.Role(this, "HostRole", {
      assumedBy: new iam.ServicePrincipal("ec2.amazonaws.com"),
      description: "hlbasis hot-path host: SSM sessions, its two secrets, its config, its code, both queues",
    });
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName("AmazonSSMManagedInstanceCore"));
    this.agentKeySecret.grantRead(role);
    this.controlTokenSecret.grantRead(role);
    configParameter.grantRead(role);
    // The one object user data downloads (asset.grantRead would allow s3:GetObject* and List* bucket-wide).
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["s3:GetObject"],
        resources: [asset.bucket.arnForObjects(asset.s3ObjectKey)],
      }),
    );
    props.edgesQueue.grantSendMessages(role);
    props.tradesQueue.grantSendMessages(role);
    // The CloudWatch agent writes the hot path's lines into its own group, nothing else.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const x86 = settings.hostArchitecture === "x86_64";
    const userData = ec2.UserData.forLinux();
    userData.addCommands(
      ...hostUserDataLines({
        region: this.region,
        architecture: settings.hostArchitecture,
        nodeMajor: settings.nodeMajor,
        assetS3Url: asset.s3ObjectUrl,
        configParameterName: configParameter.parameterName,
        logGroupName: this.logGroup.logGroupName,
        noRestartExitStatuses: NO_RESTART_EXIT_STATUSES,
        environment: {
          AWS_REGION: this.region,
          HLB_MODE: settings.hotpathMode,
          HLB_NETWORK: settings.network,
          ...(settings.liveConfirm === undefined ? {} : { HLB_LIVE_CONFIRM: settings.liveConfirm }),
          HLB_CONFIG_FILE: `${HOST_LAYOUT.configDir}/config.json`,
          HLB_SERVICE_NAME: "hotpath",
          HLB_LOG_LEVEL: "info",
          HLB_HOST_BIND_ADDRESS: "127.0.0.1",
          HLB_HOST_PORT: String(HOST_LAYOUT.hostPort),
          HLB_AWS_REGION: this.region,
          HLB_SQS_EDGE_QUEUE_URL: props.edgesQueue.queueUrl,
          HLB_SQS_TRADE_QUEUE_URL: props.tradesQueue.queueUrl,
          HLB_JOURNAL_DIR: `${HOST_LAYOUT.stateDir}/journal`,
          HLB_SPOOL_DIR: `${HOST_LAYOUT.stateDir}/spool`,
          HLB_NONCE_DIR: `${HOST_LAYOUT.stateDir}/nonce`,
          HLB_AGENT_KEY_SECRET_ARN: this.agentKeySecret.secretArn,
          HLB_CONTROL_TOKEN_SECRET_ARN: this.controlTokenSecret.secretArn,
        },
      }),
    );

    // One subnet, and the instance's zone named from it: the zone must match the subnet's.
    const subnet = vpc.selectSubnets({ subnetGroupName: SUBNET_GROUPS.public }).subnets[0]!;
    this.instance = new ec2.Instance(this, "Host", {
      vpc,
      vpcSubnets: { subnets: [subnet] },
      availabilityZone: subnet.availabilityZone,
      associatePublicIpAddress: true,
      instanceType: new ec2.InstanceType(settings.hostInstanceType),
      machineImage: ec2.MachineImage.fromSsmParameter(UBUNTU_2404_AMI_PARAMETER[settings.hostArchitecture], {
        os: ec2.OperatingSystemType.LINUX,
      }),
      securityGroup,
      role,
      userData,
      // A changed unit, config variable or code asset replaces the host: deploys are immutable.
      userDataCausesReplacement: true,
      requireImdsv2: true,
      detailedMonitoring: true,
      ebsOptimized: true,
      blockDevices: [
        {
          deviceName: "/dev/sda1",
          volume: ec2.BlockDeviceVolume.ebs(20, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
        },
      ],
    });
    this.instance.node.addDependency(this.logGroup);
    if (x86) {
      // The L2 Instance has no CPU options: set them on the L1. One thread per core, two cores.
      (this.instance.node.defaultChild as ec2.CfnInstance).cpuOptions = { coreCount: 2, threadsPerCore: 1 };
    }

    Validations.of(role).acknowledge({
      id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]",
      reason:
        "AWS-managed policy for SSM Session Manager, the only way into the host (no SSH key, no inbound port).",
    });
    Validations.of(this.instance).acknowledge({
      id: "AwsSolutions-EC29",
      reason:
        "The host is immutable and replaced by deploys (userDataCausesReplacement); termination protection " +
        "would block every code or configuration update. State that matters lives in SQS and Postgres.",
    });

    new CfnOutput(this, "HostInstanceId", { value: this.instance.instanceId });
    new CfnOutput(this, "AgentKeySecretArn", { value: this.agentKeySecret.secretArn });
    new CfnOutput(this, "ControlTokenSecretArn", { value: this.controlTokenSecret.secretArn });
    new CfnOutput(this, "HotpathConfigParameter", { value: configParameter.parameterName });
  }
}
