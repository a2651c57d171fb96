/**
 * The fault script language: one JSON object per fault, the same for the library (`sim.faults.apply`),
 * the admin surface (`POST /sim/faults`) and `startSimulator({ faults })`.
 *
 * Selections: `count` = the next N requests, `probability` = each request with that chance (seeded),
 * neither = every request until `clear`. `afterMs` (any fault) applies it that many wall ms later, so a
 * whole run can be scripted up front.
 *
 * | `type` | effect |
 * | --- | --- |
 * | `dropConnections` `{user?, graceful?}` | closes WS connections (all, or those following `user`); abrupt unless `graceful` |
 * | `stallFeed` `{channels?, ms?}` | data frames stop (all channels, or those listed — a channel such as `l2Book`, or one topic such as `l2Book:@107:fast` or `bbo:@107`) for `ms` or until `resumeFeed`; sockets, pongs and posts go on |
 * | `resumeFeed` | ends a stall |
 * | `delayPosts` `{ms, count?, probability?}` | WS `post` answers arrive `ms` late (the request executes at once) |
 * | `dropPosts` `{count?, probability?}` | WS `post` requests execute but are never answered |
 * | `http429` `{count?, probability?, endpoints?}` | HTTP `/info` and/or `/exchange` answer 429 without executing |
 * | `crossedBook` `{coin, on?}` | published books of `coin` show a bid above the best ask (matching uses the true book) |
 * | `staleBook` `{on?}` | the model freezes: books stop changing, snapshots repeat with their old time |
 * | `clockSkew` `{ms}` | every exchange timestamp is shifted by `ms` |
 * | `rejectOrders` `{count, error, asset?}` | the next `count` orders are rejected with `error` (gateway/core) |
 * | `partialFills` `{asset, count, fraction}` | the next `count` orders on `asset` fill at most `fraction` |
 * | `clear` | every active fault off (scheduled ones still fire) |
 */
import { z } from "zod";

import { firstIssue, addressSchema } from "../../../hotpath/exchange/wire/decode-common.js";
import type { Address } from "../../../hotpath/exchange/wire/brands.js";
import type { FaultSelection, HttpEndpoint } from "./transport-faults.js";

export interface SelectionFields {
  readonly count?: number;
  readonly probability?: number;
}

export type FaultSpec = { readonly afterMs?: number } & (
  | { readonly type: "dropConnections"; readonly user?: Address; readonly graceful?: boolean }
  | { readonly type: "stallFeed"; readonly channels?: readonly string[]; readonly ms?: number }
  | { readonly type: "resumeFeed" }
  | ({ readonly type: "delayPosts"; readonly ms: number } & SelectionFields)
  | ({ readonly type: "dropPosts" } & SelectionFields)
  | ({ readonly type: "http429"; readonly endpoints?: readonly HttpEndpoint[] } & SelectionFields)
  | { readonly type: "crossedBook"; readonly coin: string; readonly on?: boolean }
  | { readonly type: "staleBook"; readonly on?: boolean }
  | { readonly type: "clockSkew"; readonly ms: number }
  | { readonly type: "rejectOrders"; readonly count: number; readonly error: string; readonly asset?: number }
  | {
      readonly type: "partialFills";
      readonly asset: number;
      readonly count: number;
      readonly fraction: number;
    }
  | { readonly type: "clear" }
);

export class FaultSpecError extends Error {
  override readonly name = "FaultSpecError";
}

const afterMs = { afterMs: z.number().nonnegative().exactOptional() };
const selection = {
  count: z.int().positive().exactOptional(),
  probability: z.number().min(0).max(1).exactOptional(),
};
const onlyOneSelection = (spec: SelectionFields): boolean =>
  spec.count === undefined || spec.probability === undefined;
const selectionMessage = { message: "give `count` or `probability`, not both" };

const faultSpecSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("dropConnections"),
    user: addressSchema.exactOptional(),
    graceful: z.boolean().exactOptional(),
    ...afterMs,
  }),
  z.object({
    type: z.literal("stallFeed"),
    channels: z.array(z.string()).exactOptional(),
    ms: z.number().positive().exactOptional(),
    ...afterMs,
  }),
  z.object({ type: z.literal("resumeFeed"), ...afterMs }),
  z
    .object({ type: z.literal("delayPosts"), ms: z.number().nonnegative(), ...selection, ...afterMs })
    .refine(onlyOneSelection, selectionMessage),
  z
    .object({ type: z.literal("dropPosts"), ...selection, ...afterMs })
    .refine(onlyOneSelection, selectionMessage),
  z
    .object({
      type: z.literal("http429"),
      endpoints: z.array(z.enum(["info", "exchange"])).exactOptional(),
      ...selection,
      ...afterMs,
    })
    .refine(onlyOneSelection, selectionMessage),
  z.object({ type: z.literal("crossedBook"), coin: z.string(), on: z.boolean().exactOptional(), ...afterMs }),
  z.object({ type: z.literal("staleBook"), on: z.boolean().exactOptional(), ...afterMs }),
  z.object({ type: z.literal("clockSkew"), ms: z.int(), ...afterMs }),
  z.object({
    type: z.literal("rejectOrders"),
    count: z.int().positive(),
    error: z.string(),
    asset: z.int().nonnegative().exactOptional(),
    ...afterMs,
  }),
  z.object({
    type: z.literal("partialFills"),
    asset: z.int().nonnegative(),
    count: z.int().positive(),
    fraction: z.number().min(0).lt(1),
    ...afterMs,
  }),
  z.object({ type: z.literal("clear"), ...afterMs }),
]);

function parseFault(value: unknown, where: string): FaultSpec {
  const parsed = faultSpecSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { field, reason } = firstIssue(parsed.error);
  const at = [where, field].filter((part) => part !== "").join(".");
  throw new FaultSpecError(`invalid fault${at === "" ? "" : ` at ${at}`}: ${reason}`);
}

/** Validates one fault or a list of them (the admin body); throws `FaultSpecError` naming the field. */
export function parseFaultScript(value: unknown): FaultSpec[] {
  if (!Array.isArray(value)) return [parseFault(value, "")];
  return value.map((item, index) => parseFault(item, `[${index}]`));
}

export function selectionOf(spec: SelectionFields): FaultSelection {
  if (spec.count !== undefined && spec.probability !== undefined)
    throw new FaultSpecError(selectionMessage.message);
  if (spec.count !== undefined) return { kind: "next", count: spec.count };
  if (spec.probability !== undefined) return { kind: "probability", probability: spec.probability };
  return { kind: "always" };
}
