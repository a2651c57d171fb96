/**
 * A mismatch: one difference between the exchange and what the bot can explain, typed for code and worded
 * for the person who has to resolve it (`message`). Any mismatch halts new risk.
 */

import type { Cloid, WireDecimal } from "../../exchange/wire/brands.js";
import type { OpenOrder, UserFill } from "../../exchange/wire/info.js";
import type { IntentId, LegMarket, OrderSide } from "../intent.js";
import type { OrderState } from "../intentState.js";
import type { AccountMode } from "./accountSnapshot.js";

/** Where an explained figure comes from, for the message. */
export type Explanation = "journal" | "fills";

export type Mismatch =
  | {
      readonly kind: "accountMode";
      readonly expected: AccountMode;
      /** The exchange's `userAbstraction` answer. */
      readonly actual: string;
      readonly message: string;
    }
  | {
      /** A journaled order whose outcome is still unknown (probing did not settle it). */
      readonly kind: "unknownOutcome";
      readonly cloid: Cloid;
      readonly intentId: IntentId;
      readonly market: LegMarket;
      readonly side: OrderSide;
      readonly size: WireDecimal;
      readonly message: string;
    }
  | {
      /** A reserved cloid no intent record explains, still unresolved (or found on the exchange). */
      readonly kind: "possiblySent";
      readonly cloid: Cloid;
      readonly found: string | null;
      readonly message: string;
    }
  | {
      /** The exchange's report (probe, fill) contradicts the journal's state machine. */
      readonly kind: "journalContradiction";
      readonly cloid: Cloid;
      readonly reason: string;
      readonly message: string;
    }
  | {
      readonly kind: "restingOrder";
      readonly oid: number;
      readonly cloid: Cloid | null;
      readonly coin: string;
      /** The journaled intent it belongs to; null when the journal does not know it. */
      readonly intentId: IntentId | null;
      readonly message: string;
    }
  | {
      readonly kind: "foreignFill";
      readonly tid: number;
      readonly coin: string;
      readonly oid: number;
      readonly cloid: Cloid | null;
      /** True when the coin is not a leg of any configured market. */
      readonly unknownMarket: boolean;
      readonly message: string;
    }
  | {
      /** A perp position on a coin the bot does not trade. */
      readonly kind: "foreignPosition";
      readonly coin: string;
      readonly szi: WireDecimal;
      readonly message: string;
    }
  | {
      readonly kind: "perpPosition";
      readonly coin: string;
      readonly exchange: WireDecimal;
      readonly explained: WireDecimal;
      readonly explainedBy: Explanation;
      readonly message: string;
    }
  | {
      readonly kind: "spotBalance";
      readonly coin: string;
      readonly token: string;
      readonly exchange: WireDecimal;
      readonly explained: WireDecimal;
      readonly message: string;
    }
  | {
      readonly kind: "usdcBalance";
      readonly accountMode: AccountMode;
      readonly exchange: WireDecimal;
      readonly explained: WireDecimal;
      readonly message: string;
    }
  | {
      /** No reconciled baseline (checkpoint) to explain the balances from, and adopting one is not allowed. */
      readonly kind: "noBaseline";
      readonly file: string;
      readonly message: string;
    }
  | {
      /** The periodic check could not run (reads failing, or never a quiet moment) for too long. */
      readonly kind: "notReconciled";
      readonly polls: number;
      readonly reason: string;
      readonly message: string;
    };

export type MismatchKind = Mismatch["kind"];

export function accountModeMismatch(expected: AccountMode, actual: string): Mismatch {
  return {
    kind: "accountMode",
    expected,
    actual,
    message:
      `account mode on the exchange is "${actual}", configured ${expected} ` +
      `(${expected === "standard" ? '"disabled"' : '"unifiedAccount"'}); balances would be read from the ` +
      `wrong place (PROTOCOL §10.1): set the mode deliberately or change the configuration`,
  };
}

/** First start in a mode the reconciler cannot read balances in (portfolio margin, legacy modes). */
export function unsupportedAccountModeMismatch(actual: string): Mismatch {
  return {
    kind: "accountMode",
    expected: "standard",
    actual,
    message:
      `account mode on the exchange is "${actual}": the bot reconciles only a standard ("disabled") or ` +
      `unified ("unifiedAccount") account (PROTOCOL §10.1); switch the account's mode before trading`,
  };
}

export function unknownOutcomeMismatch(order: OrderState, detail: string): Mismatch {
  return {
    kind: "unknownOutcome",
    cloid: order.cloid,
    intentId: order.intentId,
    market: order.market,
    side: order.side,
    size: order.size,
    message:
      `order outcome unknown for cloid ${order.cloid} (intent ${order.intentId}, ${order.market} ` +
      `${order.side} ${order.size}) after probe: ${detail}`,
  };
}

export function possiblySentMismatch(cloid: Cloid, found: string | null, detail: string): Mismatch {
  return { kind: "possiblySent", cloid, found, message: `reserved cloid ${cloid} ${detail}` };
}

export function journalContradiction(cloid: Cloid, reason: string): Mismatch {
  return {
    kind: "journalContradiction",
    cloid,
    reason,
    message: `the exchange's report for cloid ${cloid} contradicts the journal: ${reason}`,
  };
}

export function restingOrderMismatch(order: OpenOrder, intentId: IntentId | null): Mismatch {
  const cloid = order.cloid ?? null;
  const what =
    `resting order oid ${order.oid} (cloid ${cloid ?? "none"}) ${order.side === "B" ? "buy" : "sell"} ` +
    `${order.sz} of ${order.origSz} ${order.coin} @ ${order.limitPx}`;
  return {
    kind: "restingOrder",
    oid: order.oid,
    cloid,
    coin: order.coin,
    intentId,
    message:
      intentId === null
        ? `${what} is not in the journal`
        : `${what} belongs to intent ${intentId}, but the bot sends only IOC orders: nothing of ours may rest`,
  };
}

export function foreignFillMismatch(fill: UserFill, unknownMarket: boolean): Mismatch {
  const cloid = fill.cloid ?? null;
  const what =
    `fill tid ${fill.tid} (${fill.coin} ${fill.side === "B" ? "buy" : "sell"} ${fill.sz} @ ${fill.px}, ` +
    `oid ${fill.oid}, cloid ${cloid ?? "none"}, time ${fill.time})`;
  return {
    kind: "foreignFill",
    tid: fill.tid,
    coin: fill.coin,
    oid: fill.oid,
    cloid,
    unknownMarket,
    message: unknownMarket
      ? `${what} is on a market the bot does not trade`
      : `${what} is not from any journaled order`,
  };
}

export function foreignPositionMismatch(coin: string, szi: WireDecimal): Mismatch {
  return {
    kind: "foreignPosition",
    coin,
    szi,
    message: `perp position ${szi} ${coin} on the exchange, a coin the bot does not trade`,
  };
}

const EXPLAINERS: Record<Explanation, string> = {
  journal: "the journal's open intents explain",
  fills: "the reconciled baseline and the fills since explain",
};

export function perpPositionMismatch(
  coin: string,
  exchange: WireDecimal,
  explained: WireDecimal,
  explainedBy: Explanation,
  difference: WireDecimal,
): Mismatch {
  return {
    kind: "perpPosition",
    coin,
    exchange,
    explained,
    explainedBy,
    message:
      `perp ${coin} position on the exchange ${exchange}, ${EXPLAINERS[explainedBy]} ${explained} ` +
      `(difference ${difference})`,
  };
}

export function spotBalanceMismatch(
  coin: string,
  token: string,
  exchange: WireDecimal,
  explained: WireDecimal,
  difference: WireDecimal,
): Mismatch {
  return {
    kind: "spotBalance",
    coin,
    token,
    exchange,
    explained,
    message:
      `spot ${token} balance on the exchange ${exchange}, the reconciled baseline and the fills since ` +
      `explain ${explained} (difference ${difference}): a transfer, deposit or trade the bot did not make`,
  };
}

export function usdcMismatch(
  accountMode: AccountMode,
  exchange: WireDecimal,
  parts: string,
  explained: WireDecimal,
  difference: WireDecimal,
): Mismatch {
  return {
    kind: "usdcBalance",
    accountMode,
    exchange,
    explained,
    message:
      `USDC on the exchange ${exchange} (${parts}, ${accountMode} account), the reconciled baseline, fills ` +
      `and funding since explain ${explained} (difference ${difference}): a deposit, withdrawal or transfer ` +
      `the bot did not make`,
  };
}

export function notReconciledMismatch(polls: number, reason: string): Mismatch {
  return {
    kind: "notReconciled",
    polls,
    reason,
    message: `the account could not be reconciled for ${polls} consecutive polls: ${reason}`,
  };
}

export function noBaselineMismatch(file: string): Mismatch {
  return {
    kind: "noBaseline",
    file,
    message:
      `no inventory checkpoint at ${file}: the spot and USDC balances cannot be explained; start once with ` +
      `missingCheckpoint "adopt" after checking the account by hand, or restore the file`,
  };
}
