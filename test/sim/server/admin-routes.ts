/**
 * The loopback-only admin surface, so a bot test in another process can script a run:
 *
 * | route | body | effect |
 * | --- | --- | --- |
 * | `POST /sim/faults` | a fault spec or a list (`fault-spec.ts`) | applies / schedules them |
 * | `POST /sim/fund` | `{address, USDC?, HYPE?, toPerp?}` or a list | credits the account |
 * | `POST /sim/agent` | `{master, agent}` or a list | approves the agent (gateway admin) |
 * | `POST /sim/market` | `{action: "pause" \| "resume" \| "step", count?}` | controls the block clock / replay |
 * | `GET /sim/status` | — | build, rate, connections, exchange time, active faults |
 *
 * Answers `{"status":"ok",…}` or `400` with a plain-text reason. Requests from a non-loopback address are
 * refused with 403 (when the server listens on loopback, as by default, nothing else can reach it; on the
 * pure-JS uWS fallback the remote address is unknown, so a non-loopback listener disables the surface).
 */
import { z } from "zod";

import { addressSchema, firstIssue } from "../../../hotpath/exchange/wire/decode-common.js";
import type { UwsApp, UwsHttpResponse } from "../../../hotpath/host/uws.js";
import { AccountSpecError, type AgentSpec, type FundSpec } from "./accounts.js";
import { FaultSpecError } from "./fault-spec.js";
import { GatewayAdminUnsupportedError } from "./gateway-port.js";
import { newResponseState, readJsonBody, writeReply, type ResponseState } from "./http-io.js";

export type MarketCommand =
  { readonly action: "pause" | "resume" } | { readonly action: "step"; readonly count?: number };

export interface AdminActions {
  readonly applyFaults: (script: unknown) => void;
  readonly fund: (specs: readonly FundSpec[]) => void;
  readonly approveAgents: (specs: readonly AgentSpec[]) => void;
  readonly market: (command: MarketCommand) => void;
  readonly status: () => unknown;
}

export class AdminRequestError extends Error {
  override readonly name = "AdminRequestError";
}

const amountSchema = z.union([z.string(), z.number().nonnegative()]);
const fundSchema = z
  .looseObject({ address: addressSchema, toPerp: z.boolean().exactOptional() })
  .superRefine((value, ctx) => {
    for (const [key, amount] of Object.entries(value)) {
      if (key === "address" || key === "toPerp") continue;
      if (!amountSchema.safeParse(amount).success) {
        ctx.addIssue({ code: "custom", message: `amount of ${key} must be a decimal`, path: [key] });
      }
    }
  });
const agentSchema = z.object({ master: addressSchema, agent: addressSchema });
const marketSchema = z.discriminatedUnion("action", [
  z.object({ action: z.enum(["pause", "resume"]) }),
  z.object({ action: z.literal("step"), count: z.int().positive().exactOptional() }),
]);

function listOf<T>(schema: z.ZodType<T>): z.ZodType<T[]> {
  return z.union([schema, z.array(schema)]).transform((value) => (Array.isArray(value) ? value : [value]));
}

export const fundListSchema = listOf(fundSchema);
export const agentListSchema = listOf(agentSchema);

export function parseAdmin<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { field, reason } = firstIssue(parsed.error);
  throw new AdminRequestError(`${field === "" ? "body" : field}: ${reason}`);
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "0000:0000:0000:0000:0000:0000:0000:0001"]);

function isLoopback(text: string): boolean {
  return (
    LOOPBACK.has(text) ||
    text.startsWith("127.") ||
    /^(0000:){5}ffff:7f/i.test(text) ||
    text.startsWith("::ffff:127.")
  );
}

/**
 * `listenLoopback`: the server only listens on loopback, so every request is local. Otherwise the remote
 * address is checked, which only the native builds can do.
 */
export function registerAdminRoutes(
  app: UwsApp,
  actions: AdminActions,
  access: { readonly listenLoopback: boolean; readonly native: boolean },
): void {
  const allowed = (res: UwsHttpResponse): boolean => {
    if (access.listenLoopback) return true;
    if (!access.native) return false;
    return isLoopback(Buffer.from(res.getRemoteAddressAsText()).toString("latin1"));
  };
  const answer = (res: UwsHttpResponse, state: ResponseState, run: () => unknown): void => {
    try {
      const result = run();
      writeReply(res, state, { status: 200, body: { status: "ok", ...(result as object | undefined) } });
    } catch (error) {
      const known =
        error instanceof AdminRequestError ||
        error instanceof AccountSpecError ||
        error instanceof FaultSpecError ||
        error instanceof GatewayAdminUnsupportedError;
      writeReply(res, state, { status: known ? 400 : 500, body: (error as Error).message ?? String(error) });
    }
  };
  const post = (path: string, handle: (body: unknown) => unknown): void => {
    app.post(path, (res) => {
      const state = newResponseState(res);
      if (!allowed(res)) {
        writeReply(res, state, { status: 403, body: "admin surface is loopback-only" });
        return;
      }
      readJsonBody(res, state, 1 << 20, (body) => answer(res, state, () => handle(body)));
    });
  };
  post("/sim/faults", (body) => {
    actions.applyFaults(body);
  });
  post("/sim/fund", (body) => {
    actions.fund(parseAdmin(fundListSchema, body) as FundSpec[]);
  });
  post("/sim/agent", (body) => {
    actions.approveAgents(parseAdmin(agentListSchema, body));
  });
  post("/sim/market", (body) => {
    actions.market(parseAdmin(marketSchema, body));
  });
  app.get("/sim/status", (res) => {
    const state = newResponseState(res);
    if (!allowed(res)) {
      writeReply(res, state, { status: 403, body: "admin surface is loopback-only" });
      return;
    }
    answer(res, state, () => actions.status());
  });
}
