/**
 * The systemd unit that runs the hot path on its host. Pure text, tested on its own.
 *
 * - Pinned at launch: `CPUAffinity=0 1` applies to every thread the process ever starts (a `taskset -p`
 *   after start would pin only the main thread).
 * - Restarts only what crashed: `Restart=on-failure` restarts after an unexpected exit or signal, never
 *   after a clean exit (SIGTERM from `systemctl stop` → exit 0) and never after the exit statuses the hot
 *   path uses on purpose (`RestartPreventExitStatus`): 2 = bad configuration, 3 = reconciliation mismatch.
 *   Restarting those would loop on the same refusal. The kill switch (`POST /control/kill`) keeps the process
 *   alive and refusing new risk, so the restart policy never undoes it; `systemctl stop` then ends it for good.
 * - A crash loop stops after `StartLimitBurst` starts in `StartLimitIntervalSec` (the unit ends `failed`,
 *   the "hot path not ready" alarm fires).
 * - stdout/stderr are appended to one file the CloudWatch agent ships (pino already writes JSON lines).
 */

import { HOST_LAYOUT } from "./hostLayout.js";

export interface HotpathUnitOptions {
  /** Exit statuses that mean "do not start again with this configuration/state". */
  readonly noRestartExitStatuses: readonly number[];
  /** CPUs the process may run on (all of them on a 2-core host: pinned, and nothing else is moved there). */
  readonly cpus: readonly number[];
  readonly restartDelaySeconds?: number;
}

export function hotpathSystemdUnit(options: HotpathUnitOptions): string {
  const layout = HOST_LAYOUT;
  return `[Unit]
Description=hlbasis hot path (basis arbitrage, pinned to CPUs ${options.cpus.join(",")})
Wants=network-online.target
After=network-online.target
StartLimitIntervalSec=600
StartLimitBurst=5

[Service]
Type=simple
User=${layout.user}
Group=${layout.user}
WorkingDirectory=${layout.appDir}
EnvironmentFile=${layout.configDir}/hotpath.env
# "+": runs as root to refresh ${layout.configDir}/config.json from SSM (keeps the last copy if SSM is unreachable).
ExecStartPre=+${layout.binDir}/fetch-hotpath-config
ExecStart=${layout.nodeDir}/bin/node --enable-source-maps ${layout.appDir}/hotpath.mjs
CPUAffinity=${options.cpus.join(" ")}
Restart=on-failure
RestartSec=${options.restartDelaySeconds ?? 5}
RestartPreventExitStatus=${options.noRestartExitStatuses.join(" ")}
KillSignal=SIGTERM
TimeoutStopSec=30
StateDirectory=hlbasis
LogsDirectory=hlbasis
StandardOutput=append:${layout.logFile}
StandardError=append:${layout.logFile}
LimitNOFILE=65536
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
ReadWritePaths=${layout.stateDir} /var/log/hlbasis

[Install]
WantedBy=multi-user.target
`;
}
