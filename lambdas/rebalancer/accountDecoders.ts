/**
 * Decoders for three of the `/info` answers the rebalancer reads: `userAbstraction`, `clearinghouseState`
 * and `spotClearinghouseState` (PROTOCOL §4.3, §4.4, §10); `userRole` is decoded by the wire core's
 * `hotpath/exchange/role/userRole.ts`, shared with the hot path's agent-key check.
 *
 * Strict only on the fields a transfer decision rests on (balances, holds, margin, withdrawable, position
 * values); every other field is dropped unchecked, so a server that adds or changes something
 * we do not read cannot stop the rebalancer. Built from the wire core's primitive schemas.
 *
 * Not `hotpath/execution/reconcile/accountDecoders.ts`: Lambdas may not import the trading code (ESLint
 * import rules), and those decoders check every field reconciliation needs. When full account decoders
 * move into `hotpath/exchange/wire/decode-info.ts`, these can be replaced by them.
 */

import { z } from "zod";

import {
  decodeWith,
  wireDecimalSchema,
  type DecodeResult,
} from "../../hotpath/exchange/wire/decode-common.js";
import type { WireDecimal } from "../../hotpath/exchange/wire/brands.js";
import type { PerpPositionInput, SpotBalanceInput } from "./plan.js";

export interface PerpAccount {
  readonly accountValue: WireDecimal;
  readonly totalMarginUsed: WireDecimal;
  readonly totalNtlPos: WireDecimal;
  readonly withdrawable: WireDecimal;
  readonly positions: readonly PerpPositionInput[];
}

const perpAccountSchema = z
  .object({
    marginSummary: z.object({
      accountValue: wireDecimalSchema,
      totalMarginUsed: wireDecimalSchema,
      totalNtlPos: wireDecimalSchema,
    }),
    withdrawable: wireDecimalSchema,
    assetPositions: z.array(
      z.object({
        position: z.object({
          coin: z.string(),
          szi: wireDecimalSchema,
          positionValue: wireDecimalSchema,
          marginUsed: wireDecimalSchema,
        }),
      }),
    ),
  })
  .transform((state): PerpAccount => ({
    accountValue: state.marginSummary.accountValue,
    totalMarginUsed: state.marginSummary.totalMarginUsed,
    totalNtlPos: state.marginSummary.totalNtlPos,
    withdrawable: state.withdrawable,
    positions: state.assetPositions.map(({ position }) => position),
  }));

const spotBalancesSchema = z
  .object({
    balances: z.array(z.object({ coin: z.string(), total: wireDecimalSchema, hold: wireDecimalSchema })),
  })
  .transform((state): readonly SpotBalanceInput[] => state.balances);

/** A JSON string; kept open so a new mode is reported by name rather than as a decode failure. */
const userAbstractionSchema = z.string().min(1);

export function decodePerpAccount(value: unknown): DecodeResult<PerpAccount> {
  return decodeWith(perpAccountSchema, "clearinghouseState", value);
}

export function decodeSpotBalances(value: unknown): DecodeResult<readonly SpotBalanceInput[]> {
  return decodeWith(spotBalancesSchema, "spotClearinghouseState", value);
}

export function decodeUserAbstraction(value: unknown): DecodeResult<string> {
  return decodeWith(userAbstractionSchema, "userAbstraction", value);
}
