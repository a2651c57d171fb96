/**
 * The hot path process: `npx tsx hotpath/main.ts [--config file.json]`.
 *
 * Parses the configuration (exit 2 on a bad one), resolves the secrets it points to — the agent key that
 * signs orders (`app/tradingSetup.ts`: required in live, optional in sim) and the control token — and hands
 * everything to `startHotpath`, the one place the process is assembled: markets, feed, breakers, edges, the
 * edge sink, and when trading the agent-key check, journal, start-up reconciliation before the first order,
 * executor and periodic reconciler, then the uWS host with the control API. It logs what it runs on and runs
 * until SIGTERM/SIGINT, then shuts down cleanly (exit 0). In `sim` mode the endpoints come from the
 * configuration (`HLB_INFO_URL`, `HLB_EXCHANGE_URL`, `HLB_WS_URL`); this process never starts a simulator.
 *
 * Exit statuses (`app/exitStatus.ts`): 1 unexpected failure, 2 refused (configuration, secrets, a key that is
 * not an agent of the account), 3 start-up reconciliation failed. A refusal happens before any order.
 */

// First: V8 tiering for rarely run hot code (before the modules it concerns load).
import "./app/v8Tiering.js";
import { type Config, loadConfigOrExit } from "./config/index.js";
import { resolveControlToken } from "./control/controlToken.js";
import { defaultSecp256k1Backend, keccakBackend } from "./exchange/signing/index.js";
import { ReconciliationError } from "./execution/reconcile/errors.js";
import { startHotpath, type Hotpath } from "./app/hotpath.js";
import { exitStatusOf } from "./app/exitStatus.js";
import { tradingSetupOf } from "./app/tradingSetup.js";
import { loadUws } from "./host/uws.js";
import { createLogger, type Logger } from "./observability/logger.js";

async function main(config: Config, logger: Logger): Promise<Hotpath> {
  const uws = loadUws();
  const setup = await tradingSetupOf(config);
  const controlToken = await resolveControlToken(config.secretSources.controlToken);
  if (setup.kind === "observing") logger.info({ reason: setup.reason }, "not trading on the exchange");
  if (controlToken === null) {
    logger.warn("control API disabled (no HLB_CONTROL_TOKEN): pause/kill only by stopping the process");
  }
  const persistence = config.persistence;
  const hotpath = await startHotpath({
    config,
    logger,
    uws,
    ...(setup.kind === "trading" ? { trading: setup.options } : {}),
    control: {
      token: controlToken,
      logger: logger.child({ component: "control" }),
      // The route logs every accepted change (INFO `control change`); with a trades queue configured,
      // `startHotpath` also ships each one to the `control_changes` table.
      onChange: () => {},
    },
    ...(persistence.edgeQueueUrl === null
      ? {}
      : {
          edgeSink: {
            queueUrl: persistence.edgeQueueUrl,
            region: persistence.awsRegion,
            ...(persistence.sqsEndpoint === null ? {} : { endpoint: persistence.sqsEndpoint }),
            spoolDir: persistence.spoolDir,
            spoolMaxBytes: persistence.spoolMaxBytes,
          },
        }),
  });
  const trading = hotpath.trading;
  logger.info(
    {
      mode: config.mode,
      network: config.network,
      uws: uws.description,
      signing: { secp256k1: defaultSecp256k1Backend, keccak: keccakBackend },
      markets: hotpath.markets.map((market) => ({
        coin: market.coin,
        perp: { coin: market.perp.coin, assetId: market.perp.assetId },
        spot: { coin: market.spot.wsCoin, assetId: market.spot.assetId },
      })),
      ws: hotpath.endpoints.wsUrl,
      host: `${config.host.bindAddress}:${hotpath.host.port}`,
      control: controlToken === null ? "disabled" : "enabled",
      trading:
        trading === undefined || setup.kind !== "trading"
          ? null
          : {
              account: setup.options.account,
              agent: setup.options.signer.address,
              baseline: trading.startup.baseline,
              positions: trading.startup.positions.map(({ coin, perp, spot, direction }) => ({
                coin,
                perp,
                spot,
                direction,
              })),
              probes: trading.startup.probes.length,
              journaledFills: trading.startup.journaledFills,
            },
    },
    "hot path started",
  );
  return hotpath;
}

function refuse(logger: Logger, error: unknown): void {
  const status = exitStatusOf(error);
  if (error instanceof ReconciliationError) {
    logger.fatal({ err: error, mismatches: error.mismatches }, "refusing to start: reconciliation failed");
  } else {
    logger.fatal({ err: error }, "cannot start");
  }
  process.stderr.write(
    `hlbasis hot path: ${error instanceof Error ? error.message : String(error)}\n` +
      (status === 1 && error instanceof Error && error.stack !== undefined ? `${error.stack}\n` : ""),
  );
  // Exit now, not when the event loop drains: a refusing process must not linger with half-open sockets.
  logger.flush(() => process.exit(status));
}

const config = loadConfigOrExit();
const logger = createLogger({ service: config.log.service, level: config.log.level });
main(config, logger).then(
  (hotpath) => {
    let signalled = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (signalled) return;
      signalled = true;
      logger.info({ signal }, "stopping");
      void hotpath.stop().then(() => {
        logger.info("stopped");
        logger.flush();
      });
    };
    process.once("SIGTERM", shutdown);
    process.once("SIGINT", shutdown);
  },
  (error: unknown) => refuse(logger, error),
);
