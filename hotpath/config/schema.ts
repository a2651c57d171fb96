/**
 * The configuration schema: every setting, its default and its cross-field rules, in one place.
 *
 * Defaults make `npm start` work offline: mode `sim` against the in-process simulator, no queues, no
 * database, journals under `.hlbasis/`. The schema never holds key material, only where to find it
 * (`secretSources`); `resolveSecret` fetches the value at start-up.
 *
 * Unknown keys are errors (strict objects) so a misspelt risk limit cannot silently fall back to its
 * default. Cross-field rules run once every field is individually valid.
 */

import { z } from "zod";

import { NETWORK_ENDPOINTS, type Endpoints, type Network } from "./endpoints.js";
import {
  addressField,
  compareDecimals,
  decimalString,
  integerInRange,
  nonEmptyString,
  secretSourceField,
  urlWithScheme,
} from "./field-schemas.js";

/** The value HLB_LIVE_CONFIRM must hold before mode `live` is accepted. */
export const LIVE_CONFIRMATION = "I_UNDERSTAND";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MIB = 1024 * 1024;

const COIN_NAME = /^[A-Za-z0-9]{1,20}$/;
const COIN_EXPECTED = 'a perp coin name such as "HYPE" (letters and digits)';

const strategySchema = z
  .strictObject(
    {
      /** Open when the net edge (basis minus fees and expected funding) reaches this many bps. */
      openThresholdBps: decimalString({ above: "0" }, "15").prefault("15"),
      /** Close when the basis falls to this many bps; below the open threshold (hysteresis). */
      closeThresholdBps: decimalString({}, "3").prefault("3"),
      /** Expected holding time, used to amortise entry/exit fees against funding. */
      holdingHorizonMs: integerInRange(MINUTE, 30 * DAY, " milliseconds").default(8 * HOUR),
      /** Size of one clip (both legs), in base units of the coin. */
      clipSize: decimalString({ above: "0" }, "1").prefault("1"),
      /** How far beyond the deepest level a clip needs each limit may go, bps (see strategy/limitPrices). */
      maxSlippageBps: decimalString({ atLeast: "0", atMost: "1000" }, "50").prefault("50"),
      /** The band for exits no edge budget prices (max holding time, adverse funding, unwinds), bps. */
      forcedExitSlippageBps: decimalString({ atLeast: "0", atMost: "1000" }, "30").prefault("30"),
      /** Close when the position pays funding at this rate, bps of notional per hour. */
      adverseFundingBpsPerHour: decimalString({ above: "0" }, "1").prefault("1"),
      /** Every action's `expiresAfter`: this long after the decision the exchange refuses it. */
      orderExpiresAfterMs: integerInRange(100, MINUTE, " milliseconds").default(3 * SECOND),
      /** Close a position held this long, whatever its basis. */
      maxHoldingMs: integerInRange(MINUTE, 30 * DAY, " milliseconds").default(DAY),
      /** No leg below this notional at its limit price (the exchange refuses < $10), USDC. */
      minOrderNotionalUsdc: decimalString({ atLeast: "10" }, "11").prefault("11"),
      /** The perp leverage the account is set to (margin per order = notional / leverage). */
      perpLeverage: integerInRange(1, 50).default(3),
      /** Fee rates assumed when `userFees` cannot be read; defaults are the base tier (PROTOCOL §9.1). */
      feeFallbackBps: z
        .strictObject(
          {
            perpTaker: decimalString({ atLeast: "0", atMost: "100" }, "4.5").prefault("4.5"),
            perpMaker: decimalString({ atLeast: "-100", atMost: "100" }, "1.5").prefault("1.5"),
            spotTaker: decimalString({ atLeast: "0", atMost: "100" }, "7").prefault("7"),
            spotMaker: decimalString({ atLeast: "-100", atMost: "100" }, "4").prefault("4"),
          },
          { error: "an object of fee rates in bps" },
        )
        .prefault({}),
    },
    { error: "an object of strategy settings" },
  )
  .prefault({});

const riskSchema = z
  .strictObject(
    {
      /** Largest clip the risk gate lets through, in base units. */
      maxClip: decimalString({ above: "0" }, "5").prefault("5"),
      /** Largest position per coin (each leg), in USDC notional. */
      maxPositionNotionalUsdc: decimalString({ above: "0" }, "1000").prefault("1000"),
      maxOpenIntents: integerInRange(1, 100).default(2),
      /** Each trade is two orders, so at least 2. */
      ordersPerMinute: integerInRange(2, 6000).default(60),
      /** Realised plus unrealised loss since 00:00 UTC at which trading stops, in USDC. */
      dailyLossLimitUsdc: decimalString({ above: "0" }, "50").prefault("50"),
      /** Refuse to add to the perp leg when the liquidation price is closer than this, in % of mark. */
      minLiquidationDistancePct: decimalString({ above: "0", below: "100" }, "20").prefault("20"),
      /** No new open on a market for this long after its last trade. */
      coolDownAfterTradeMs: integerInRange(0, HOUR, " milliseconds").default(SECOND),
      /** No order on a market for this long after one of its orders was rejected. */
      coolDownAfterRejectionMs: integerInRange(0, HOUR, " milliseconds").default(10 * SECOND),
    },
    { error: "an object of risk limits" },
  )
  .prefault({});

const feedSchema = z
  .strictObject(
    {
      /** A book older than this (exchange time vs local clock) is not traded on. */
      staleAfterMs: integerInRange(50, MINUTE, " milliseconds").default(2000),
      /**
       * A book whose exchange time (`data.time`) is older than this by the local wall clock is not traded on,
       * however recently it arrived: a feed repeating an old snapshot looks fresh by receive time alone
       * (PROTOCOL pitfall 1). Looser than `staleAfterMs` because it also absorbs clock offset between the
       * exchange and this host.
       */
      maxExchangeAgeMs: integerInRange(100, 10 * MINUTE, " milliseconds").default(10 * SECOND),
      /** Perp and spot snapshots further apart in time than this are not combined into a basis. */
      maxLegSkewMs: integerInRange(0, 10 * SECOND, " milliseconds").default(500),
      /** The server drops a connection idle for 60 s (PROTOCOL §2.10), so this stays well below. */
      pingIntervalMs: integerInRange(SECOND, 55 * SECOND, " milliseconds").default(15 * SECOND),
      pongTimeoutMs: integerInRange(100, MINUTE, " milliseconds").default(5 * SECOND),
      reconnectBackoffMinMs: integerInRange(10, MINUTE, " milliseconds").default(250),
      reconnectBackoffMaxMs: integerInRange(100, 10 * MINUTE, " milliseconds").default(30 * SECOND),
      /**
       * How much of each `l2Book` side is parsed: `decisionDepth` reads what the risk limits let any decision
       * walk, with a 2× margin (`feed/scanDepth.ts`), and skips the rest unparsed; `full` parses and validates
       * every level.
       */
      bookScan: z
        .enum(["decisionDepth", "full"], { error: 'one of "decisionDepth", "full"' })
        .default("decisionDepth"),
    },
    { error: "an object of feed settings" },
  )
  .prefault({});

const hostSchema = z
  .strictObject(
    {
      /** Address the control/health HTTP server binds; loopback unless something must reach it. */
      bindAddress: nonEmptyString('an IP address or host name to bind, e.g. "127.0.0.1"').default(
        "127.0.0.1",
      ),
      /** 0 picks a free port (tests). */
      port: integerInRange(0, 65535).default(8787),
    },
    { error: "an object of host settings" },
  )
  .prefault({});

const queueUrl = urlWithScheme(
  ["https", "http"],
  "https://sqs.ap-northeast-1.amazonaws.com/123456789012/name",
);

const executionSchema = z
  .strictObject(
    {
      /**
       * `fsyncBeforeSend`: every intent is on stable storage before its bytes leave (≈0.2 ms per intent on
       * a cloud disk). `reserveAhead`: cloids and a nonce ceiling are reserved durably ahead of time and the
       * intent is written (not fsync'd) before sending; see hotpath/execution/README.md.
       */
      journalMode: z
        .enum(["fsyncBeforeSend", "reserveAhead"], { error: 'one of "fsyncBeforeSend", "reserveAhead"' })
        .default("fsyncBeforeSend"),
      /** A post without an answer this long has an unknown outcome: probed by cloid, never resent. */
      postTimeoutMs: integerInRange(100, MINUTE, " milliseconds").default(2 * SECOND),
      /** `one`: both legs in one signed order action (default); `two`: one action per leg. */
      actionsPerIntent: z.enum(["one", "two"], { error: 'one of "one", "two"' }).default("one"),
    },
    { error: "an object of execution settings" },
  )
  .prefault({});

const persistenceSchema = z
  .strictObject(
    {
      /** SQS queue for edge observations; null = not published (sim default). */
      edgeQueueUrl: queueUrl.nullable().default(null),
      /** The AWS region of the queues (credentials come from the SDK's provider chain: role, env). */
      awsRegion: nonEmptyString('an AWS region such as "ap-northeast-1"').default("ap-northeast-1"),
      /** An SQS-compatible endpoint instead of AWS's (LocalStack); null = AWS. */
      sqsEndpoint: urlWithScheme(["https", "http"], "http://localhost:4566").nullable().default(null),
      /** SQS queue for trade events; null = journal only. */
      tradeQueueUrl: queueUrl.nullable().default(null),
      /** Postgres URL; null = no database. Prefer no password in it (use the PG* env or IAM auth). */
      databaseUrl: urlWithScheme(["postgres", "postgresql"], "postgres://hlbasis@localhost:5432/hlbasis")
        .nullable()
        .default(null),
      /** Relative directories are resolved against the working directory at load time. */
      journalDir: nonEmptyString("a directory path").default(".hlbasis/journal"),
      spoolDir: nonEmptyString("a directory path").default(".hlbasis/spool"),
      /** Cap on the local spool kept while SQS is unreachable. */
      spoolMaxBytes: integerInRange(MIB, 100 * 1024 * MIB, " bytes").default(256 * MIB),
      /** Where each signer's nonce high-water mark lives (see exchange/nonce). */
      nonceDir: nonEmptyString("a directory path").default(".hlbasis/nonces"),
    },
    { error: "an object of persistence settings" },
  )
  .prefault({});

/** Mode `paper`: the simulated account orders fill against (no keys, no requests to `/exchange`). */
const paperSchema = z
  .strictObject(
    {
      /** USDC the paper account starts with, split evenly between the spot balance and perp collateral. */
      startingUsdc: decimalString({ atLeast: "0" }, "10000").prefault("10000"),
      /** Spot base token the paper account starts with for each traded coin (spot-rich entries sell it). */
      startingBase: decimalString({ atLeast: "0" }, "0").prefault("0"),
    },
    { error: "an object of paper-trading settings" },
  )
  .prefault({});

const secretSourcesSchema = z
  .strictObject(
    {
      /** The API-wallet (agent) key that signs orders. */
      agentKey: secretSourceField.prefault({ env: "HLB_AGENT_PRIVATE_KEY" }),
      /** The master key, needed only by the rebalancer for user-signed transfers; null = rebalancer off. */
      masterKey: secretSourceField.nullable().default(null),
      /** Bearer token the control endpoint requires. */
      controlToken: secretSourceField.prefault({ env: "HLB_CONTROL_TOKEN" }),
    },
    { error: "an object of secret sources" },
  )
  .prefault({});

const logSchema = z
  .strictObject(
    {
      level: z
        .enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"], {
          error: 'one of "trace", "debug", "info", "warn", "error", "fatal", "silent"',
        })
        .default("info"),
      service: nonEmptyString("a service name").default("hlbasis"),
    },
    { error: "an object of log settings" },
  )
  .prefault({});

/** The configuration as written (file merged with environment), before cross-field rules and resolution. */
export const RawConfigSchema = z.strictObject(
  {
    mode: z.enum(["sim", "paper", "live"], { error: 'one of "sim", "paper", "live"' }).default("sim"),
    /** Defaults to `sim` in mode sim, `mainnet` otherwise. */
    network: z
      .enum(["mainnet", "testnet", "sim"], { error: 'one of "mainnet", "testnet", "sim"' })
      .optional(),
    /** Only ever set from HLB_LIVE_CONFIRM (the loader refuses it in a file); dropped from the result. */
    liveConfirm: z.string({ error: `the string "${LIVE_CONFIRMATION}"` }).optional(),
    /** Overrides of the per-network endpoints. */
    endpoints: z
      .strictObject(
        {
          infoUrl: urlWithScheme(["https", "http"], NETWORK_ENDPOINTS.mainnet.infoUrl).optional(),
          exchangeUrl: urlWithScheme(["https", "http"], NETWORK_ENDPOINTS.mainnet.exchangeUrl).optional(),
          wsUrl: urlWithScheme(["wss", "ws"], NETWORK_ENDPOINTS.mainnet.wsUrl).optional(),
        },
        { error: "an object of endpoint URLs" },
      )
      .prefault({}),
    /** The master or sub-account address whose state is queried (not the agent's). Required in live. */
    accountAddress: addressField.nullable().default(null),
    coins: z
      .array(z.string({ error: COIN_EXPECTED }).regex(COIN_NAME, { error: COIN_EXPECTED }), {
        error: 'a list of perp coin names, e.g. ["HYPE"]',
      })
      .min(1, { error: "at least one coin" })
      .refine((coins) => new Set(coins).size === coins.length, { error: "coin names without duplicates" })
      .default(["HYPE"]),
    strategy: strategySchema,
    risk: riskSchema,
    feed: feedSchema,
    host: hostSchema,
    execution: executionSchema,
    persistence: persistenceSchema,
    paper: paperSchema,
    secretSources: secretSourcesSchema,
    log: logSchema,
  },
  { error: "a JSON object of settings" },
);

type RawConfig = z.output<typeof RawConfigSchema>;

export const LIVE_CONFIRMATION_EXPECTED = `"live" only together with HLB_LIVE_CONFIRM=${LIVE_CONFIRMATION} in the environment (real orders, real money)`;

/**
 * Mode live without the confirmation. Exported so the loader can report it even when other fields are
 * invalid (cross-field rules only run on otherwise valid input, and this one must never go unsaid).
 */
export function lacksLiveConfirmation(raw: {
  readonly mode?: unknown;
  readonly liveConfirm?: unknown;
}): boolean {
  return raw.mode === "live" && raw.liveConfirm !== LIVE_CONFIRMATION;
}

/**
 * Cross-field rules. They run inside the final transform because zod only runs a transform on input that
 * passed every field check, while a refinement could see half-valid data.
 */
function checkConsistency(raw: RawConfig, ctx: z.RefinementCtx<RawConfig>): void {
  const problem = (path: PropertyKey[], message: string): void => {
    ctx.addIssue({ code: "custom", path, message, input: undefined });
  };

  if (raw.mode === "sim" && raw.network !== undefined && raw.network !== "sim") {
    problem(["network"], '"sim" (or unset) when mode is "sim": the simulator replaces the exchange');
  }
  if (raw.mode !== "sim" && raw.network === "sim") {
    problem(["network"], `"mainnet" or "testnet" when mode is "${raw.mode}": it needs the real exchange`);
  }
  if (lacksLiveConfirmation(raw)) problem(["mode"], LIVE_CONFIRMATION_EXPECTED);
  if (raw.liveConfirm !== undefined && raw.liveConfirm !== LIVE_CONFIRMATION) {
    problem(["liveConfirm"], `exactly "${LIVE_CONFIRMATION}" or unset`);
  }
  if (raw.mode === "live" && raw.accountAddress === null) {
    problem(["accountAddress"], "the master or sub-account address to trade for; required in live mode");
  }
  const endpointOverrides = Object.values(raw.endpoints).filter((url) => url !== undefined).length;
  if (
    (raw.network ?? defaultNetwork(raw.mode)) === "sim" &&
    endpointOverrides !== 0 &&
    endpointOverrides !== 3
  ) {
    problem(
      ["endpoints"],
      "in sim either all of infoUrl, exchangeUrl, wsUrl (an external simulator) or none (the built-in one)",
    );
  }
  if (compareDecimals(raw.strategy.closeThresholdBps, raw.strategy.openThresholdBps) >= 0) {
    problem(
      ["strategy", "closeThresholdBps"],
      `less than strategy.openThresholdBps (${raw.strategy.openThresholdBps}), or positions churn`,
    );
  }
  if (compareDecimals(raw.strategy.clipSize, raw.risk.maxClip) > 0) {
    problem(["strategy", "clipSize"], `at most risk.maxClip (${raw.risk.maxClip})`);
  }
  if (raw.feed.pongTimeoutMs >= raw.feed.pingIntervalMs) {
    problem(["feed", "pongTimeoutMs"], `less than feed.pingIntervalMs (${raw.feed.pingIntervalMs})`);
  }
  if (raw.feed.reconnectBackoffMinMs > raw.feed.reconnectBackoffMaxMs) {
    problem(
      ["feed", "reconnectBackoffMinMs"],
      `at most feed.reconnectBackoffMaxMs (${raw.feed.reconnectBackoffMaxMs})`,
    );
  }
}

function defaultNetwork(mode: RawConfig["mode"]): Network {
  return mode === "sim" ? "sim" : "mainnet";
}

function resolveEndpoints(network: Network, overrides: RawConfig["endpoints"]): Endpoints | null {
  if (network === "sim") {
    const { infoUrl, exchangeUrl, wsUrl } = overrides;
    return infoUrl !== undefined && exchangeUrl !== undefined && wsUrl !== undefined
      ? { infoUrl, exchangeUrl, wsUrl }
      : null;
  }
  const defaults = NETWORK_ENDPOINTS[network];
  return {
    infoUrl: overrides.infoUrl ?? defaults.infoUrl,
    exchangeUrl: overrides.exchangeUrl ?? defaults.exchangeUrl,
    wsUrl: overrides.wsUrl ?? defaults.wsUrl,
  };
}

/** The full schema: raw fields, cross-field rules, then defaults that depend on other fields. */
export const ConfigSchema = RawConfigSchema.transform((raw, ctx) => {
  checkConsistency(raw, ctx);
  const { liveConfirm: _liveConfirm, network: givenNetwork, endpoints: endpointOverrides, ...rest } = raw;
  const network = givenNetwork ?? defaultNetwork(raw.mode);
  return {
    ...rest,
    network,
    /** null in sim until the simulator starts and supplies its own. */
    endpoints: resolveEndpoints(network, endpointOverrides),
  };
});

type DeepReadonly<T> = T extends string | number | boolean | bigint | symbol | null | undefined
  ? T
  : T extends readonly (infer Item)[]
    ? readonly DeepReadonly<Item>[]
    : { readonly [Key in keyof T]: DeepReadonly<T[Key]> };

/** The validated configuration. Deeply frozen at run time; read-only in the type as well. */
export type Config = DeepReadonly<z.output<typeof ConfigSchema>>;
