/**
 * The hot-path host's first-boot script (EC2 user data, bash, Ubuntu 24.04). Pure: values that are CDK
 * tokens (queue URLs, secret ARNs, the asset's S3 location) arrive as strings and are rendered by
 * CloudFormation.
 *
 * Steps: OS packages (python3/make/g++ so `secp256k1` and `keccak` compile — neither ships a linux-arm64
 * prebuild; if a build fails anyway, npm skips the optional addon and the hot path signs with its pure-JS
 * fallback), the AWS CLI, Node.js from nodejs.org (checksum verified), the CloudWatch agent, a system user,
 * the code asset from S3 → `npm ci --omit=dev`, the environment file, the config fetcher, the systemd unit.
 * The unit starts last; a failed step stops the script (`set -e`) and leaves the unit uninstalled.
 */

import { cloudWatchAgentConfig } from "./cloudWatchAgentConfig.js";
import { HOST_LAYOUT } from "./hostLayout.js";
import { hotpathSystemdUnit } from "./systemdUnit.js";

export interface HostUserDataOptions {
  readonly region: string;
  readonly architecture: "arm64" | "x86_64";
  readonly nodeMajor: number;
  /** `s3://bucket/key.zip` of the code asset. */
  readonly assetS3Url: string;
  /** The SSM parameter holding the hot path's JSON configuration file. */
  readonly configParameterName: string;
  readonly logGroupName: string;
  /** Written to the unit's environment file (no secret values: secrets are named by ARN). */
  readonly environment: Readonly<Record<string, string>>;
  readonly noRestartExitStatuses: readonly number[];
}

/** The user data script's lines (without the `#!/bin/bash` line CDK adds). */
export function hostUserDataLines(options: HostUserDataOptions): string[] {
  const layout = HOST_LAYOUT;
  const nodeArch = options.architecture === "arm64" ? "arm64" : "x64";
  const debArch = options.architecture === "arm64" ? "arm64" : "amd64";
  const envFile = Object.entries(options.environment)
    .map(([name, value]) => `${name}=${value}`)
    .join("\n");
  return [
    "set -euo pipefail",
    "export DEBIAN_FRONTEND=noninteractive",
    "apt-get update -q",
    "apt-get install -y -q --no-install-recommends python3 make g++ unzip curl ca-certificates xz-utils logrotate",
    "snap install aws-cli --classic",
    // Node.js: the newest release of the pinned major, verified against the release's SHASUMS256.txt.
    `NODE_DIST=https://nodejs.org/dist/latest-v${options.nodeMajor}.x`,
    "cd /tmp",
    'curl -fsSLO "$NODE_DIST/SHASUMS256.txt"',
    `NODE_TAR=$(grep -oE 'node-v[0-9.]+-linux-${nodeArch}\\.tar\\.xz' SHASUMS256.txt | head -n1)`,
    'curl -fsSLO "$NODE_DIST/$NODE_TAR"',
    'grep " $NODE_TAR$" SHASUMS256.txt | sha256sum -c -',
    `mkdir -p ${layout.nodeDir} ${layout.appDir} ${layout.binDir} ${layout.configDir}`,
    `tar -xJf "$NODE_TAR" -C ${layout.nodeDir} --strip-components=1`,
    // CloudWatch agent (ships the log file), from the region's own bucket.
    `curl -fsSLo /tmp/amazon-cloudwatch-agent.deb https://amazoncloudwatch-agent-${options.region}.s3.${options.region}.amazonaws.com/ubuntu/${debArch}/latest/amazon-cloudwatch-agent.deb`,
    "dpkg -i -E /tmp/amazon-cloudwatch-agent.deb",
    "cat > /opt/aws/amazon-cloudwatch-agent/etc/hlbasis.json <<'HLB_EOF'",
    cloudWatchAgentConfig(options.logGroupName),
    "HLB_EOF",
    "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/hlbasis.json",
    `id -u ${layout.user} >/dev/null 2>&1 || useradd --system --home-dir ${layout.stateDir} --shell /usr/sbin/nologin ${layout.user}`,
    // The code: hotpath.mjs (our code, bundled) + package.json/package-lock.json; dependencies from npm.
    `aws s3 cp "${options.assetS3Url}" /tmp/hotpath.zip --region ${options.region}`,
    `unzip -o -q /tmp/hotpath.zip -d ${layout.appDir}`,
    `cd ${layout.appDir} && PATH=${layout.nodeDir}/bin:$PATH npm ci --omit=dev --no-audit --no-fund`,
    `chown -R root:root ${layout.appDir} && chmod -R go-w ${layout.appDir}`,
    `cat > ${layout.configDir}/hotpath.env <<'HLB_EOF'`,
    envFile,
    "HLB_EOF",
    `chmod 0640 ${layout.configDir}/hotpath.env && chgrp ${layout.user} ${layout.configDir}/hotpath.env`,
    `cat > ${layout.binDir}/fetch-hotpath-config <<'HLB_EOF'`,
    "#!/bin/bash",
    "# Refreshes the hot path's JSON config from SSM; keeps the previous copy when SSM cannot be read.",
    "set -uo pipefail",
    `target=${layout.configDir}/config.json`,
    `if /snap/bin/aws ssm get-parameter --region ${options.region} --name "${options.configParameterName}" --query Parameter.Value --output text > "$target.new"; then`,
    '  mv "$target.new" "$target"',
    'elif [ -s "$target" ]; then',
    '  echo "SSM unreachable: starting with the previous configuration" >&2; rm -f "$target.new"',
    "else",
    '  echo "SSM unreachable and no previous configuration" >&2; exit 1',
    "fi",
    `chmod 0640 "$target" && chgrp ${layout.user} "$target"`,
    "HLB_EOF",
    `chmod 0755 ${layout.binDir}/fetch-hotpath-config`,
    "cat > /etc/logrotate.d/hlbasis <<'HLB_EOF'",
    `${layout.logFile} {`,
    "  daily",
    "  maxsize 200M",
    "  rotate 3",
    "  compress",
    "  missingok",
    "  notifempty",
    // systemd holds the file open (StandardOutput=append:), so rotate by copying and truncating.
    "  copytruncate",
    "}",
    "HLB_EOF",
    `cat > /etc/systemd/system/${layout.unitName} <<'HLB_EOF'`,
    hotpathSystemdUnit({ noRestartExitStatuses: options.noRestartExitStatuses, cpus: [0, 1] }).trimEnd(),
    "HLB_EOF",
    "systemctl daemon-reload",
    `systemctl enable --now ${layout.unitName}`,
  ];
}
