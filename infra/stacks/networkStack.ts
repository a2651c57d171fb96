/**
 * The network (AWS target only): one VPC in two availability zones (RDS needs a subnet group in two).
 *
 * - `public`: the hot-path host (public IP, a security group with no inbound rule) and the NAT instance.
 * - `functions` (private, egress through NAT): the Lambdas. The rebalancer must reach both Postgres and
 *   the exchange's HTTPS API, so the functions' subnets need a route out; interface endpoints cannot reach
 *   the exchange. One NAT instance (t4g.nano) costs a fraction of a NAT gateway; `-c natGateway=true` swaps
 *   in the managed gateway (docs/deploy-aws.md compares them).
 * - `data` (isolated, no route out): RDS and RDS Proxy.
 *
 * The Lambdas' only AWS API call from inside the VPC is Secrets Manager (once per cold start); the SQS
 * event sources poll from the Lambda service, and logs leave through the Lambda service, so no interface
 * endpoint is worth its hourly price while the NAT path exists. The S3 gateway endpoint is free.
 */

import { Stack, type StackProps, Validations } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";

import { VPC_FLOW_LOG_GROUP_NAME } from "../logGroupNames.js";
import type { InfraSettings } from "../settings.js";
import { retentionOf } from "./retention.js";

export const SUBNET_GROUPS = { public: "public", functions: "functions", data: "data" } as const;

export interface NetworkStackProps extends StackProps {
  readonly settings: InfraSettings;
  /** Concrete zone names (cdk.context.json `hlbasis:availabilityZones:<region>`): no lookup at synth. */
  readonly availabilityZones?: readonly string[];
}

export class NetworkStack extends Stack {
  readonly vpc: ec2.IVpc;
  /** The Lambdas' security group: RDS Proxy and the instance admit it. */
  readonly functionsSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { settings } = props;

    const natGatewayProvider = settings.natGateway
      ? ec2.NatProvider.gateway()
      : ec2.NatProvider.instanceV2({
          instanceType: new ec2.InstanceType("t4g.nano"),
          machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
          defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
        });

    const vpc = new ec2.Vpc(this, "Vpc", {
      ipAddresses: ec2.IpAddresses.cidr("10.40.0.0/16"),
      ...(props.availabilityZones === undefined
        ? { maxAzs: 2 }
        : { availabilityZones: [...props.availabilityZones] }),
      natGateways: 1,
      natGatewayProvider,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: SUBNET_GROUPS.public, subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: SUBNET_GROUPS.functions, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
        { name: SUBNET_GROUPS.data, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });

    // aws-cdk-lib declares Vpc.vpnGatewayId as `string | undefined` and IVpc's as optional `string`: one
    // object, two spellings that only exactOptionalPropertyTypes tells apart.
    this.vpc = vpc as unknown as ec2.IVpc;

    const flowLogGroup = new logs.LogGroup(this, "FlowLogs", {
      logGroupName: VPC_FLOW_LOG_GROUP_NAME,
      retention: retentionOf(settings.logRetentionDays),
    });
    vpc.addFlowLog("FlowLog", {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      // Rejected packets only: what an investigation needs, at a fraction of ALL's ingestion cost.
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    this.functionsSecurityGroup = new ec2.SecurityGroup(this, "FunctionsSecurityGroup", {
      vpc: this.vpc,
      description: "hlbasis Lambdas: no inbound; outbound to Postgres/RDS Proxy and HTTPS",
      allowAllOutbound: true,
    });

    if (!settings.natGateway) {
      for (const provider of [natGatewayProvider]) {
        if (provider instanceof ec2.NatInstanceProviderV2) {
          for (const instance of provider.gatewayInstances) {
            const cfn = instance.node.defaultChild as ec2.CfnInstance;
            cfn.addPropertyOverride("Monitoring", true);
            // The provider exposes no block devices: encrypt the root volume (AL2023: /dev/xvda) here.
            cfn.addPropertyOverride("BlockDeviceMappings", [
              { DeviceName: "/dev/xvda", Ebs: { Encrypted: true, VolumeType: "gp3", VolumeSize: 8 } },
            ]);
            Validations.of(instance).acknowledge(
              {
                id: "AwsSolutions-EC29",
                reason:
                  "The NAT instance is stateless and replaced by redeploying; termination protection would " +
                  "block that replacement.",
              },
              {
                id: "AwsSolutions-EC28",
                reason: "Detailed monitoring is enabled by a property override (Monitoring: true).",
              },
              {
                id: "AwsSolutions-EC26",
                reason:
                  "The root volume is encrypted by a property override (BlockDeviceMappings, Encrypted: true).",
              },
            );
          }
          Validations.of(provider.securityGroup).acknowledge({
            id: "AwsSolutions-EC23",
            reason:
              "The NAT instance must accept traffic from the VPC's private subnets; its rule admits the VPC " +
              "CIDR only (OUTBOUND_ONLY allows nothing from the internet).",
          });
        }
      }
    }
  }
}
