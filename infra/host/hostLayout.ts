/**
 * Where things live on the hot-path host, shared by the unit, the user data and the log shipping. Pure.
 */

export const HOST_LAYOUT = {
  /** The unpacked code asset (`hotpath.mjs`, `package.json`, `package-lock.json`, `node_modules/`). */
  appDir: "/opt/hlbasis/app",
  /** The Node.js installation (official tarball). */
  nodeDir: "/opt/hlbasis/node",
  /** Helper scripts installed by user data. */
  binDir: "/opt/hlbasis/bin",
  /** `hotpath.env` (infrastructure-derived variables) and `config.json` (the SSM parameter's copy). */
  configDir: "/etc/hlbasis",
  /** systemd `StateDirectory=hlbasis`: journal, spool, nonces; survives restarts and reboots. */
  stateDir: "/var/lib/hlbasis",
  /** systemd `LogsDirectory=hlbasis`: the pino JSON lines the CloudWatch agent ships. */
  logFile: "/var/log/hlbasis/hotpath.log",
  /** The service's system user (no shell, no home login). */
  user: "hlbasis",
  unitName: "hlbasis-hotpath.service",
  /** The host's control/health port, bound to loopback; reach it with an SSM port-forwarding session. */
  hostPort: 8787,
} as const;
