/**
 * The hot path process: `npx tsx hotpath/main.ts [--config file.json]`.
 *
 * Loads the configuration (exit 2 on a bad one), resolves the markets over HTTP, starts the feed, the
 * breakers, the edges and the uWS host, logs what it runs on (uWS build, signing backend, markets), and runs
 * until SIGTERM/SIGINT, then shuts down cleanly (exit 0). In `sim` mode the endpoints come from the
 * configuration (`HLB_INFO_URL`, `HLB_EXCHANGE_URL`, `HLB_WS_URL`); this process never starts a simulator.
 */

import { loadConfigOrExit } from "./config/index.js";
import { defaultSecp256k1Backend, keccakBackend } from "./exchange/signing/index.js";
import { MissingEndpointsError, startHotpath } from "./app/hotpath.js";
import { loadUws } from "./host/uws.js";
import { createLogger } from "./observability/logger.js";

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ service: config.log.service, level: config.log.level });
  const uws = loadUws();
  let hotpath;
  try {
    const persistence = config.persistence;
    hotpath = await startHotpath({
      config,
      logger,
      uws,
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
  } catch (error) {
    if (error instanceof MissingEndpointsError) {
      logger.fatal({ err: error }, "cannot start");
      logger.flush();
      process.exitCode = 2;
      return;
    }
    throw error;
  }
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
    },
    "hot path started",
  );

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
}

main().catch((error: unknown) => {
  process.stderr.write(
    `hlbasis hot path failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
