/**
 * The CDK app's settings, read from CDK context (`-c key=value` on the command line, or `cdk.json`), with
 * defaults that synthesize offline. Pure: no aws-cdk-lib import, so it is tested on its own.
 *
 * | context key | default | meaning |
 * | --- | --- | --- |
 * | `target` | `aws` | `aws` (everything) or `localstack` (queues, Lambdas, secrets, schedule; see infra/README.md) |
 * | `region` | `ap-northeast-1` | where the stacks go (the exchange's API is reported to run in Tokyo) |
 * | `account` | none | pin the stacks to an account; unset = environment-agnostic |
 * | `network` | `testnet` | the exchange network of the hot path and the rebalancer (`mainnet` to trade for real) |
 * | `hotpathMode` | `paper` | the hot path's `HLB_MODE` (`live` also needs `liveConfirm=I_UNDERSTAND`) |
 * | `liveConfirm` | none | written to the unit's `HLB_LIVE_CONFIRM` (the hot path accepts it only from the environment) |
 * | `hostArchitecture` | `arm64` | `arm64` (Graviton, 2 vCPU = 2 physical cores) or `x86_64` (one thread per core) |
 * | `hostInstanceType` | `c7g.large` / `c7i.xlarge` | must give exactly 2 physical cores |
 * | `nodeMajor` | `24` | the Node.js major installed on the host (official tarball, checksum verified) |
 * | `natGateway` | `false` | `true`: a managed NAT gateway instead of the NAT instance (see docs/deploy-aws.md) |
 * | `dbInstanceType` | `t4g.micro` | the RDS instance class (without `db.`) |
 * | `logRetentionDays` | `30` | retention of every log group |
 * | `alarmEmail` | none | subscribes this address to the alarm topic |
 * | `residualExposureAlarmUsdc` | `100` | alarm when the unhedged notional stays above this |
 * | `databaseUrl` | required for `localstack` | the compose Postgres, as the Lambdas reach it |
 */

export type DeployTarget = "aws" | "localstack";
export type HostArchitecture = "arm64" | "x86_64";
export type ExchangeNetwork = "mainnet" | "testnet";
export type HotpathMode = "paper" | "live";

export interface InfraSettings {
  readonly target: DeployTarget;
  readonly region: string;
  readonly account: string | undefined;
  readonly network: ExchangeNetwork;
  readonly hotpathMode: HotpathMode;
  readonly liveConfirm: string | undefined;
  readonly hostArchitecture: HostArchitecture;
  readonly hostInstanceType: string;
  readonly nodeMajor: number;
  readonly natGateway: boolean;
  readonly dbInstanceType: string;
  readonly logRetentionDays: number;
  readonly alarmEmail: string | undefined;
  readonly residualExposureAlarmUsdc: number;
  readonly databaseUrl: string | undefined;
}

/** Instance types known to give exactly two physical cores (x86: with one thread per core). */
export const TWO_CORE_INSTANCE_TYPES: Readonly<Record<HostArchitecture, readonly string[]>> = {
  arm64: ["c7g.large", "c7gn.large", "c8g.large", "m7g.large", "m8g.large", "r7g.large"],
  // Intel xlarge: 4 vCPU = 2 cores × 2 threads (one thread per core is set); AMD c7a: no SMT.
  x86_64: ["c7i.xlarge", "c6i.xlarge", "m7i.xlarge", "c7a.large"],
};

export const DEFAULT_INSTANCE_TYPE: Readonly<Record<HostArchitecture, string>> = {
  arm64: "c7g.large",
  x86_64: "c7i.xlarge",
};

export class InfraSettingsError extends Error {
  override readonly name = "InfraSettingsError";
}

export type ContextReader = (key: string) => unknown;

/** Reads and checks every setting; all problems are reported at once. */
export function readInfraSettings(context: ContextReader): InfraSettings {
  const problems: string[] = [];
  const text = (key: string): string | undefined => {
    const value = context(key);
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value === "string") return value.trim();
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    problems.push(`${key}: expected a string, got ${JSON.stringify(value)}`);
    return undefined;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const value = text(key) ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${key}: one of ${allowed.join(", ")}, got "${value}"`);
    return fallback;
  };
  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const value = text(key);
    if (value === undefined) return fallback;
    const parsed = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
    if (parsed >= min && parsed <= max) return parsed;
    problems.push(`${key}: an integer from ${min} to ${max}, got "${value}"`);
    return fallback;
  };
  const boolean = (key: string): boolean => {
    const value = text(key);
    if (value === undefined || value === "false") return false;
    if (value === "true") return true;
    problems.push(`${key}: true or false, got "${value}"`);
    return false;
  };

  const target = oneOf<DeployTarget>("target", ["aws", "localstack"], "aws");
  const region = text("region") ?? "ap-northeast-1";
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) problems.push(`region: an AWS region, got "${region}"`);
  const account = text("account");
  if (account !== undefined && !/^\d{12}$/.test(account)) {
    problems.push(`account: a 12-digit AWS account id, got "${account}"`);
  }
  const network = oneOf<ExchangeNetwork>("network", ["mainnet", "testnet"], "testnet");
  const hotpathMode = oneOf<HotpathMode>("hotpathMode", ["paper", "live"], "paper");
  const liveConfirm = text("liveConfirm");
  if (hotpathMode === "live" && liveConfirm !== "I_UNDERSTAND") {
    problems.push("liveConfirm: hotpathMode=live needs -c liveConfirm=I_UNDERSTAND");
  }
  const hostArchitecture = oneOf<HostArchitecture>("hostArchitecture", ["arm64", "x86_64"], "arm64");
  const hostInstanceType = text("hostInstanceType") ?? DEFAULT_INSTANCE_TYPE[hostArchitecture];
  if (!TWO_CORE_INSTANCE_TYPES[hostArchitecture].includes(hostInstanceType)) {
    problems.push(
      `hostInstanceType: a ${hostArchitecture} type with 2 physical cores ` +
        `(${TWO_CORE_INSTANCE_TYPES[hostArchitecture].join(", ")}), got "${hostInstanceType}"`,
    );
  }
  const nodeMajor = integer("nodeMajor", 24, 22, 30);
  const natGateway = boolean("natGateway");
  const dbInstanceType = text("dbInstanceType") ?? "t4g.micro";
  if (!/^[a-z][a-z0-9]*\.[a-z0-9]+$/.test(dbInstanceType)) {
    problems.push(`dbInstanceType: an instance class such as t4g.micro, got "${dbInstanceType}"`);
  }
  const logRetentionDays = integer("logRetentionDays", 30, 1, 3653);
  const alarmEmail = text("alarmEmail");
  if (alarmEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alarmEmail)) {
    problems.push(`alarmEmail: an e-mail address, got "${alarmEmail}"`);
  }
  const residualExposureAlarmUsdc = integer("residualExposureAlarmUsdc", 100, 1, 100_000_000);
  const databaseUrl = text("databaseUrl");
  if (target === "localstack" && databaseUrl === undefined) {
    problems.push(
      "databaseUrl: required for target=localstack (e.g. postgres://hlbasis:hlbasis@postgres:5432/hlbasis)",
    );
  }
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push("databaseUrl: a postgres:// URL");
  }

  if (problems.length > 0) {
    throw new InfraSettingsError(`CDK context invalid:\n  ${problems.join("\n  ")}`);
  }
  return {
    target,
    region,
    account,
    network,
    hotpathMode,
    liveConfirm,
    hostArchitecture,
    hostInstanceType,
    nodeMajor,
    natGateway,
    dbInstanceType,
    logRetentionDays,
    alarmEmail,
    residualExposureAlarmUsdc,
    databaseUrl,
  };
}
