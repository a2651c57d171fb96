/**
 * `npm start`: the offline demo, on embedded defaults — no keys, Docker or network needed.
 *
 * What it shows today, for real: the exchange simulator speaking Hyperliquid's wire protocol on loopback,
 * and the bot's exchange wire core driving it — market resolution from `meta`/`spotMeta`, both HYPE books
 * over the WebSocket, exact side-aware price rounding, EIP-712 signing (an agent key approved by a
 * throwaway master key), nonces, one two-leg IOC order sent as a WS `post`, the resulting fills and fees
 * (the spot buy's fee taken in HYPE), and a `usdClassTransfer` signed by the master key.
 *
 * What it does not do yet, and says so: decide and trade on its own. The hot path (feed, edges, risk,
 * execution), the SQS → Lambda → Postgres pipeline and the rebalancer replace this walkthrough as their
 * issues land.
 *
 * Flags: `--duration <seconds>` stops after that long (default: run until Ctrl-C); `--seed <n>`.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigOrExit } from "../../hotpath/config/index.js";
import { parseDecimal, formatDecimal, mul, sub } from "../../hotpath/exchange/decimal/decimal.js";
import { limitPrice, minSizeFor } from "../../hotpath/exchange/decimal/grid.js";
import { ExchangeHttpClient } from "../../hotpath/exchange/http/httpClient.js";
import { NonceAllocator } from "../../hotpath/exchange/nonce/index.js";
import { resolveMarkets, type BasisMarket } from "../../hotpath/exchange/registry/index.js";
import {
  createSigner,
  defaultSecp256k1Backend,
  signL1Action,
  signUserSignedAction,
  type Signer,
} from "../../hotpath/exchange/signing/index.js";
import {
  approveAgentAction,
  decodeMeta,
  decodeSpotMeta,
  orderAction,
  toCloid,
  usdClassTransferAction,
  type ExchangeResponse,
  type L2Book,
} from "../../hotpath/exchange/wire/index.js";
import { startSimulator, type Simulator } from "../sim/server/index.js";
import { DemoWsSession } from "./wsSession.js";

const say = (line: string): void => void process.stdout.write(`${line}\n`);

interface DemoArgs {
  readonly durationSec: number | undefined;
  readonly seed: number;
}

function parseArgs(argv: readonly string[]): DemoArgs {
  let durationSec: number | undefined;
  let seed = 1;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--duration" || flag === "--seed") {
      const parsed = Number(value);
      if (value === undefined || !Number.isInteger(parsed) || parsed < 0) {
        process.stderr.write(`hlbasis: ${flag} expects a non-negative integer, got ${String(value)}\n`);
        process.exit(2);
      }
      if (flag === "--duration") durationSec = parsed;
      else seed = parsed;
      i++;
    } else if (flag === "--config") {
      i++; // read by the config loader
    } else {
      process.stderr.write(`hlbasis: unknown flag ${String(flag)} (known: --duration, --seed, --config)\n`);
      process.exit(2);
    }
  }
  return { durationSec, seed };
}

function touch(book: L2Book | undefined): { bid: string; ask: string } | undefined {
  const bid = book?.levels[0][0]?.px;
  const ask = book?.levels[1][0]?.px;
  return bid === undefined || ask === undefined ? undefined : { bid, ask };
}

/** Basis at the touch, in bps of the spot mid: what "perp rich" looks like before fees. */
function touchBasisBps(perp: L2Book, spot: L2Book): string {
  const p = touch(perp);
  const s = touch(spot);
  if (!p || !s) return "n/a";
  const perpMid = (Number(p.bid) + Number(p.ask)) / 2;
  const spotMid = (Number(s.bid) + Number(s.ask)) / 2;
  // Display only: bps for a human, never a price that is sent.
  return (((perpMid - spotMid) / spotMid) * 10_000).toFixed(1);
}

function describeStatuses(response: ExchangeResponse): string {
  if (response.status === "err") return `rejected: ${response.response}`;
  if (response.response.type !== "order") return response.response.type;
  return response.response.data.statuses.map((status) => JSON.stringify(status)).join(", ");
}

async function waitForBooks(session: DemoWsSession, market: BasisMarket): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const perp = session.legs.get(market.perp.coin)?.book;
    const spot = session.legs.get(market.spot.wsCoin)?.book;
    if (touch(perp) && touch(spot)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no book for ${market.coin} on both legs within 10 s`);
}

async function run(args: DemoArgs): Promise<void> {
  const config = loadConfigOrExit();
  say("hlbasis — offline demo (simulated exchange on loopback; no keys, Docker or network needed)");
  say(
    "Built so far: the exchange wire core and the exchange simulator. Not yet: the trading hot path,\n" +
      "the SQS → Lambda → Postgres pipeline and the rebalancer — so this demo walks one trade by hand.\n",
  );

  const master = createSigner(`0x${randomBytes(32).toString("hex")}`);
  const agent = createSigner(`0x${randomBytes(32).toString("hex")}`);
  const sim: Simulator = await startSimulator({
    seed: args.seed,
    fund: [
      { address: master.address, USDC: "5000" },
      { address: master.address, USDC: "5000", toPerp: true },
    ],
  });
  const nonceDir = mkdtempSync(join(tmpdir(), "hlb-demo-nonces-"));
  const masterNonces = NonceAllocator.open({
    signer: master.address,
    dir: nonceDir,
    backgroundRenewal: "inline-only",
  });
  const agentNonces = NonceAllocator.open({
    signer: agent.address,
    dir: nonceDir,
    backgroundRenewal: "inline-only",
  });
  const http = new ExchangeHttpClient({ infoUrl: sim.info, exchangeUrl: sim.exchange });
  let session: DemoWsSession | undefined;
  const stop = async (): Promise<void> => {
    session?.close();
    masterNonces.close();
    agentNonces.close();
    await sim.stop();
    rmSync(nonceDir, { recursive: true, force: true });
  };

  try {
    say(`simulator  ${sim.ws}  (uWebSockets.js build: ${sim.uws.build}; seed ${sim.seed})`);
    say(`signing    secp256k1 backend: ${defaultSecp256k1Backend}`);
    say(`accounts   master ${master.address} (funded 5000 USDC spot + 5000 USDC perp)`);
    say(`           agent  ${agent.address} (API wallet that signs orders)\n`);

    // 1. Markets, resolved by name from the exchange's metadata, never by hard-coded ids.
    const meta = decodeMeta(await http.info({ type: "meta" }));
    const spotMeta = decodeSpotMeta(await http.info({ type: "spotMeta" }));
    if (!meta.ok) throw meta.error;
    if (!spotMeta.ok) throw spotMeta.error;
    const markets = resolveMarkets(
      { meta: meta.value, spotMeta: spotMeta.value },
      config.coins.map((coin) => ({ coin })),
    );
    for (const m of markets) {
      say(
        `market     ${m.coin}: perp asset ${m.perp.assetId} (szDecimals ${m.perp.szDecimals}), spot ${m.spot.wsCoin} → ` +
          `asset ${m.spot.assetId} (szDecimals ${m.spot.szDecimals}, token ${m.spot.base.index})`,
      );
    }
    const market = markets[0];
    if (!market) throw new Error("no market configured");

    // 2. The agent is approved by the master (a user-signed EIP-712 action).
    const approveNonce = masterNonces.next();
    const approve = approveAgentAction({
      network: "mainnet",
      agentAddress: agent.address,
      nonce: approveNonce,
    });
    const approved = await http.exchange({
      action: approve,
      nonce: approveNonce,
      signature: signUserSignedAction({ signer: master, action: approve }),
    });
    say(`approve    agent approved by master: ${approved.status}`);

    // 3. Both books over the WebSocket.
    session = await DemoWsSession.open(sim.ws);
    session.subscribeBooks(market.perp.coin);
    session.subscribeBooks(market.spot.wsCoin);
    await waitForBooks(session, market);
    const perpBook = session.legs.get(market.perp.coin)?.book;
    const spotBook = session.legs.get(market.spot.wsCoin)?.book;
    const perpTouch = touch(perpBook);
    const spotTouch = touch(spotBook);
    if (!perpBook || !spotBook || !perpTouch || !spotTouch) throw new Error("books vanished");
    say(
      `books      perp ${perpTouch.bid} / ${perpTouch.ask}   spot ${spotTouch.bid} / ${spotTouch.ask}   ` +
        `basis at the touch ${touchBasisBps(perpBook, spotBook)} bps`,
    );

    // 4. One two-leg IOC (sell perp, buy spot) sent together in one signed action, as the bot will.
    await tradeOnePair(session, agent, agentNonces, market, perpTouch.bid, spotTouch.ask);

    // 5. What the exchange now says about the master account.
    await showAccount(http, master, market);

    // 6. USDC spot → perp, signed by the master (an agent key cannot move funds).
    const transferNonce = masterNonces.next();
    const transfer = usdClassTransferAction({
      network: "mainnet",
      amount: "100",
      toPerp: true,
      nonce: transferNonce,
    });
    const moved = await http.exchange({
      action: transfer,
      nonce: transferNonce,
      signature: signUserSignedAction({ signer: master, action: transfer }),
    });
    say(`transfer   100 USDC spot → perp by the master key: ${moved.status}`);
    await showAccount(http, master, market);

    say(
      `\nwatching   the basis live (${args.durationSec === undefined ? "Ctrl-C to stop" : `${args.durationSec} s`})`,
    );
    await watch(session, market, args.durationSec);
  } finally {
    await stop();
  }
}

async function tradeOnePair(
  session: DemoWsSession,
  agent: Signer,
  nonces: NonceAllocator,
  market: BasisMarket,
  perpBid: string,
  spotAsk: string,
): Promise<void> {
  // Aggressive limits 0.3 % through the touch, rounded side-aware on each leg's grid: the sell never
  // rounds above its limit, the buy never below.
  const allowance = parseDecimal("0.003");
  const one = parseDecimal("1");
  const perpGrid = { market: "perp" as const, szDecimals: market.perp.szDecimals };
  const spotGrid = { market: "spot" as const, szDecimals: market.spot.szDecimals };
  const sellPx = limitPrice(mul(parseDecimal(perpBid), sub(one, allowance)), "sell", "aggressive", perpGrid);
  const buyPx = limitPrice(mul(parseDecimal(spotAsk), parseDecimal("1.003")), "buy", "aggressive", spotGrid);
  // The smallest size both legs accept ($10 minimum at the worse price), plus one lot of margin.
  const minimum = minSizeFor(parseDecimal(spotAsk), market.spot.szDecimals, parseDecimal("11"));
  const size = formatDecimal(parseDecimal(minimum));
  const nonce = nonces.next();
  const action = orderAction({
    orders: [
      {
        asset: market.perp.assetId,
        isBuy: false,
        price: sellPx,
        size,
        reduceOnly: false,
        orderType: { limit: { tif: "Ioc" } },
        cloid: toCloid(`0x${randomBytes(16).toString("hex")}`),
      },
      {
        asset: market.spot.assetId,
        isBuy: true,
        price: buyPx,
        size,
        reduceOnly: false,
        orderType: { limit: { tif: "Ioc" } },
        cloid: toCloid(`0x${randomBytes(16).toString("hex")}`),
      },
    ],
  });
  const signature = signL1Action({ signer: agent, action, nonce, network: "mainnet" });
  say(
    `order      sell ${size} ${market.coin}-PERP ≥ ${sellPx} IOC  +  buy ${size} ${market.spot.wsCoin} ≤ ${buyPx} IOC`,
  );
  const response = await session.postAction({ action, nonce, signature });
  say(`           → ${describeStatuses(response)}`);
}

async function showAccount(http: ExchangeHttpClient, master: Signer, market: BasisMarket): Promise<void> {
  const perp = await http.info({ type: "clearinghouseState", user: master.address });
  const spot = await http.info({ type: "spotClearinghouseState", user: master.address });
  const fills = await http.info({ type: "userFills", user: master.address });
  const position = perp.assetPositions.find((p) => p.position.coin === market.perp.coin)?.position;
  const base = spot.balances.find((b) => b.coin === market.spot.base.name);
  const usdc = spot.balances.find((b) => b.coin === "USDC");
  say(
    `account    perp: value ${perp.marginSummary.accountValue} USDC, ${market.coin} position ${position?.szi ?? "0"}` +
      ` @ ${position?.entryPx ?? "-"}; spot: ${base?.total ?? "0"} ${market.spot.base.name}, ${usdc?.total ?? "0"} USDC`,
  );
  for (const fill of fills.slice(0, 2)) {
    say(
      `  fill     ${fill.coin} ${fill.side === "B" ? "buy" : "sell"} ${fill.sz} @ ${fill.px}  fee ${fill.fee} ${fill.feeToken}`,
    );
  }
}

async function watch(
  session: DemoWsSession,
  market: BasisMarket,
  durationSec: number | undefined,
): Promise<void> {
  const stopAt = durationSec === undefined ? Number.POSITIVE_INFINITY : Date.now() + durationSec * 1000;
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const live = process.stdout.isTTY;
  let lastPrint = 0;
  try {
    while (!interrupted && Date.now() < stopAt) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const perp = session.legs.get(market.perp.coin);
      const spot = session.legs.get(market.spot.wsCoin);
      if (!perp?.book || !spot?.book) continue;
      const line =
        `           perp ${touch(perp.book)?.bid}/${touch(perp.book)?.ask}  spot ${touch(spot.book)?.bid}/` +
        `${touch(spot.book)?.ask}  basis ${touchBasisBps(perp.book, spot.book)} bps  frames ${perp.frames + spot.frames}`;
      if (live) process.stdout.write(`\r${line}   `);
      else if (Date.now() - lastPrint >= 5_000) {
        say(line);
        lastPrint = Date.now();
      }
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (live) say("");
    say(`stopped    ${session.decodeErrors} undecodable frames; simulator stopped cleanly`);
  }
}

run(parseArgs(process.argv.slice(2))).catch((error: unknown) => {
  process.stderr.write(
    `hlbasis demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
