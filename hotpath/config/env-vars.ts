/**
 * The `HLB_*` environment variables and the configuration field each one sets. `.env.example` documents
 * them; a test keeps that file and this table in step.
 *
 * Environment values are strings; integers are converted here when they are plain digits (anything else is
 * passed through so the schema reports it with the value), lists are comma-separated. An empty variable
 * counts as unset, as container tooling often writes `VAR=` for "nothing".
 *
 * Every `HLB_*` variable must be one of these (or the secret variables the sources name): a misspelt
 * `HLB_RISK_MAX_CLP` is a configuration error, not a silently ignored limit.
 */

export type ConfigPath = readonly string[];

type EnvValueKind = "string" | "integer" | "list";

interface EnvSetting {
  readonly name: string;
  readonly path: ConfigPath;
  readonly kind: EnvValueKind;
}

/** Names the configuration file. `--config <path>` on the command line takes precedence. */
export const CONFIG_FILE_VAR = "HLB_CONFIG_FILE";

export const ENV_SETTINGS: readonly EnvSetting[] = [
  { name: "HLB_MODE", path: ["mode"], kind: "string" },
  { name: "HLB_LIVE_CONFIRM", path: ["liveConfirm"], kind: "string" },
  { name: "HLB_NETWORK", path: ["network"], kind: "string" },
  { name: "HLB_INFO_URL", path: ["endpoints", "infoUrl"], kind: "string" },
  { name: "HLB_EXCHANGE_URL", path: ["endpoints", "exchangeUrl"], kind: "string" },
  { name: "HLB_WS_URL", path: ["endpoints", "wsUrl"], kind: "string" },
  { name: "HLB_ACCOUNT_ADDRESS", path: ["accountAddress"], kind: "string" },
  { name: "HLB_COINS", path: ["coins"], kind: "list" },

  { name: "HLB_OPEN_THRESHOLD_BPS", path: ["strategy", "openThresholdBps"], kind: "string" },
  { name: "HLB_CLOSE_THRESHOLD_BPS", path: ["strategy", "closeThresholdBps"], kind: "string" },
  { name: "HLB_HOLDING_HORIZON_MS", path: ["strategy", "holdingHorizonMs"], kind: "integer" },
  { name: "HLB_CLIP_SIZE", path: ["strategy", "clipSize"], kind: "string" },
  { name: "HLB_MAX_SLIPPAGE_BPS", path: ["strategy", "maxSlippageBps"], kind: "string" },
  { name: "HLB_FORCED_EXIT_SLIPPAGE_BPS", path: ["strategy", "forcedExitSlippageBps"], kind: "string" },
  {
    name: "HLB_ADVERSE_FUNDING_BPS_PER_HOUR",
    path: ["strategy", "adverseFundingBpsPerHour"],
    kind: "string",
  },
  { name: "HLB_ORDER_EXPIRES_AFTER_MS", path: ["strategy", "orderExpiresAfterMs"], kind: "integer" },
  { name: "HLB_MAX_HOLDING_MS", path: ["strategy", "maxHoldingMs"], kind: "integer" },
  { name: "HLB_MIN_ORDER_NOTIONAL_USDC", path: ["strategy", "minOrderNotionalUsdc"], kind: "string" },
  { name: "HLB_PERP_LEVERAGE", path: ["strategy", "perpLeverage"], kind: "integer" },
  {
    name: "HLB_FEE_FALLBACK_PERP_TAKER_BPS",
    path: ["strategy", "feeFallbackBps", "perpTaker"],
    kind: "string",
  },
  {
    name: "HLB_FEE_FALLBACK_PERP_MAKER_BPS",
    path: ["strategy", "feeFallbackBps", "perpMaker"],
    kind: "string",
  },
  {
    name: "HLB_FEE_FALLBACK_SPOT_TAKER_BPS",
    path: ["strategy", "feeFallbackBps", "spotTaker"],
    kind: "string",
  },
  {
    name: "HLB_FEE_FALLBACK_SPOT_MAKER_BPS",
    path: ["strategy", "feeFallbackBps", "spotMaker"],
    kind: "string",
  },

  { name: "HLB_RISK_MAX_CLIP", path: ["risk", "maxClip"], kind: "string" },
  { name: "HLB_RISK_MAX_POSITION_NOTIONAL_USDC", path: ["risk", "maxPositionNotionalUsdc"], kind: "string" },
  { name: "HLB_RISK_MAX_OPEN_INTENTS", path: ["risk", "maxOpenIntents"], kind: "integer" },
  { name: "HLB_RISK_ORDERS_PER_MINUTE", path: ["risk", "ordersPerMinute"], kind: "integer" },
  { name: "HLB_RISK_DAILY_LOSS_LIMIT_USDC", path: ["risk", "dailyLossLimitUsdc"], kind: "string" },
  {
    name: "HLB_RISK_MIN_LIQUIDATION_DISTANCE_PCT",
    path: ["risk", "minLiquidationDistancePct"],
    kind: "string",
  },
  { name: "HLB_RISK_COOL_DOWN_AFTER_TRADE_MS", path: ["risk", "coolDownAfterTradeMs"], kind: "integer" },
  {
    name: "HLB_RISK_COOL_DOWN_AFTER_REJECTION_MS",
    path: ["risk", "coolDownAfterRejectionMs"],
    kind: "integer",
  },

  { name: "HLB_FEED_STALE_AFTER_MS", path: ["feed", "staleAfterMs"], kind: "integer" },
  { name: "HLB_FEED_MAX_LEG_SKEW_MS", path: ["feed", "maxLegSkewMs"], kind: "integer" },
  { name: "HLB_FEED_PING_INTERVAL_MS", path: ["feed", "pingIntervalMs"], kind: "integer" },
  { name: "HLB_FEED_PONG_TIMEOUT_MS", path: ["feed", "pongTimeoutMs"], kind: "integer" },
  { name: "HLB_FEED_RECONNECT_BACKOFF_MIN_MS", path: ["feed", "reconnectBackoffMinMs"], kind: "integer" },
  { name: "HLB_FEED_RECONNECT_BACKOFF_MAX_MS", path: ["feed", "reconnectBackoffMaxMs"], kind: "integer" },
  { name: "HLB_FEED_BOOK_SCAN", path: ["feed", "bookScan"], kind: "string" },
  { name: "HLB_FEED_MAX_EXCHANGE_AGE_MS", path: ["feed", "maxExchangeAgeMs"], kind: "integer" },

  { name: "HLB_JOURNAL_MODE", path: ["execution", "journalMode"], kind: "string" },
  { name: "HLB_POST_TIMEOUT_MS", path: ["execution", "postTimeoutMs"], kind: "integer" },
  { name: "HLB_ACTIONS_PER_INTENT", path: ["execution", "actionsPerIntent"], kind: "string" },

  { name: "HLB_HOST_BIND_ADDRESS", path: ["host", "bindAddress"], kind: "string" },
  { name: "HLB_HOST_PORT", path: ["host", "port"], kind: "integer" },

  { name: "HLB_SQS_EDGE_QUEUE_URL", path: ["persistence", "edgeQueueUrl"], kind: "string" },
  { name: "HLB_AWS_REGION", path: ["persistence", "awsRegion"], kind: "string" },
  { name: "HLB_SQS_ENDPOINT", path: ["persistence", "sqsEndpoint"], kind: "string" },
  { name: "HLB_SQS_TRADE_QUEUE_URL", path: ["persistence", "tradeQueueUrl"], kind: "string" },
  { name: "HLB_DATABASE_URL", path: ["persistence", "databaseUrl"], kind: "string" },
  { name: "HLB_JOURNAL_DIR", path: ["persistence", "journalDir"], kind: "string" },
  { name: "HLB_SPOOL_DIR", path: ["persistence", "spoolDir"], kind: "string" },
  { name: "HLB_SPOOL_MAX_BYTES", path: ["persistence", "spoolMaxBytes"], kind: "integer" },
  { name: "HLB_NONCE_DIR", path: ["persistence", "nonceDir"], kind: "string" },

  { name: "HLB_PAPER_STARTING_USDC", path: ["paper", "startingUsdc"], kind: "string" },
  { name: "HLB_PAPER_STARTING_BASE", path: ["paper", "startingBase"], kind: "string" },

  { name: "HLB_LOG_LEVEL", path: ["log", "level"], kind: "string" },
  { name: "HLB_SERVICE_NAME", path: ["log", "service"], kind: "string" },
];

/**
 * A secret source is set as a whole from a group of variables, `<prefix>_ENV` or `<prefix>_SECRET_ARN`
 * (+ `<prefix>_SECRET_JSON_KEY`); the group replaces the file's source instead of merging into it.
 */
interface SecretSourceEnvGroup {
  readonly prefix: string;
  readonly path: ConfigPath;
  /** The variable the schema's default source reads the secret value from. */
  readonly defaultValueVar: string | null;
}

export const SECRET_SOURCE_ENV_GROUPS: readonly SecretSourceEnvGroup[] = [
  { prefix: "HLB_AGENT_KEY", path: ["secretSources", "agentKey"], defaultValueVar: "HLB_AGENT_PRIVATE_KEY" },
  { prefix: "HLB_MASTER_KEY", path: ["secretSources", "masterKey"], defaultValueVar: null },
  {
    prefix: "HLB_CONTROL_TOKEN",
    path: ["secretSources", "controlToken"],
    defaultValueVar: "HLB_CONTROL_TOKEN",
  },
];

/** Suggested (not default) variable for the master key value; `.env.example` lists it. */
export const SUGGESTED_MASTER_KEY_VAR = "HLB_MASTER_PRIVATE_KEY";

const SECRET_SOURCE_SUFFIXES = ["_ENV", "_SECRET_ARN", "_SECRET_JSON_KEY"] as const;

export interface EnvOverride {
  readonly path: ConfigPath;
  readonly value: unknown;
  /** Where the value came from, for error messages: `env HLB_CLIP_SIZE`. */
  readonly origin: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** The overrides the environment sets, in table order. */
export function readEnvOverrides(env: Environment): EnvOverride[] {
  const overrides: EnvOverride[] = [];
  for (const setting of ENV_SETTINGS) {
    const text = nonEmpty(env[setting.name]);
    if (text !== undefined) {
      overrides.push({
        path: setting.path,
        value: convert(text, setting.kind),
        origin: `env ${setting.name}`,
      });
    }
  }
  for (const group of SECRET_SOURCE_ENV_GROUPS) {
    const envName = nonEmpty(env[`${group.prefix}_ENV`]);
    const arn = nonEmpty(env[`${group.prefix}_SECRET_ARN`]);
    const jsonKey = nonEmpty(env[`${group.prefix}_SECRET_JSON_KEY`]);
    if (envName === undefined && arn === undefined && jsonKey === undefined) continue;
    const source: Record<string, string> = {};
    if (envName !== undefined) source["env"] = envName;
    if (arn !== undefined) source["awsSecretArn"] = arn;
    if (jsonKey !== undefined) source["jsonKey"] = jsonKey;
    const names = SECRET_SOURCE_SUFFIXES.map((suffix) => group.prefix + suffix).filter(
      (name) => nonEmpty(env[name]) !== undefined,
    );
    overrides.push({ path: group.path, value: source, origin: `env ${names.join("+")}` });
  }
  return overrides;
}

/**
 * Process-level switches read where they take effect rather than through the config object, because
 * they act before any config exists: `HLB_NATIVE_CRYPTO=off` is read when the signing module loads (it
 * picks the secp256k1/keccak backend), `HLB_TEST_PG` by the test Postgres harness. They are listed here
 * so the unknown-variable check accepts them and `.env.example` documents them.
 */
export const PROCESS_SWITCH_VARS: readonly string[] = ["HLB_NATIVE_CRYPTO", "HLB_TEST_PG"];

/** Every variable name this table knows, for the unknown-variable check and the `.env.example` test. */
export function knownSettingVarNames(): Set<string> {
  const names = new Set<string>([
    CONFIG_FILE_VAR,
    ...ENV_SETTINGS.map((setting) => setting.name),
    ...PROCESS_SWITCH_VARS,
  ]);
  for (const group of SECRET_SOURCE_ENV_GROUPS) {
    for (const suffix of SECRET_SOURCE_SUFFIXES) names.add(group.prefix + suffix);
  }
  return names;
}

/** `HLB_*` variables that are neither settings nor the secret variables named in `secretValueVars`. */
export function unknownHlbVars(env: Environment, secretValueVars: ReadonlySet<string>): string[] {
  const known = knownSettingVarNames();
  return Object.keys(env)
    .filter((name) => name.startsWith("HLB_") && !known.has(name) && !secretValueVars.has(name))
    .sort();
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === "" ? undefined : text;
}

function convert(text: string, kind: EnvValueKind): unknown {
  switch (kind) {
    case "string":
      return text;
    case "integer":
      return /^-?\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : text;
    case "list":
      return text
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
  }
}
