/**
 * Start-up and admin account set-up: funding (`{address, USDC, HYPE, toPerp?}`) and agent approvals
 * (`{master, agent}`), through the gateway's admin when there is one, else straight into the core.
 * Specs are validated before anything is credited, so a bad entry leaves every account untouched.
 */
import { toAddress } from "../../../hotpath/exchange/wire/brands.js";
import { parseFx, type ExchangeCore } from "../core/index.js";
import { GatewayAdminUnsupportedError, type SimAdmin } from "./gateway-port.js";

export interface FundSpec {
  readonly address: string;
  /** Token amounts by name (`USDC`, `HYPE`), decimal strings or numbers. */
  readonly [token: string]: string | number | boolean | undefined;
  /** USDC to the perp balance (standard accounts) instead of spot. */
  readonly toPerp?: boolean;
}

export interface AgentSpec {
  readonly master: string;
  readonly agent: string;
}

export class AccountSpecError extends Error {
  override readonly name = "AccountSpecError";
}

interface Funding {
  readonly address: string;
  readonly amounts: Record<string, string>;
  readonly toPerp: boolean;
}

function fundingOf(core: ExchangeCore, spec: FundSpec): Funding {
  let address: string;
  try {
    address = toAddress(spec.address);
  } catch {
    throw new AccountSpecError(`fund: not an address: ${JSON.stringify(spec.address)}`);
  }
  const amounts: Record<string, string> = {};
  for (const [token, raw] of Object.entries(spec)) {
    if (token === "address" || token === "toPerp" || raw === undefined) continue;
    if (core.markets.token(token) === undefined) throw new AccountSpecError(`fund: unknown token ${token}`);
    const amount = typeof raw === "number" ? String(raw) : raw;
    if (typeof amount !== "string") throw new AccountSpecError(`fund: amount of ${token} must be a decimal`);
    try {
      if (parseFx(amount) < 0n) throw new AccountSpecError(`fund: negative amount of ${token}`);
    } catch (error) {
      if (error instanceof AccountSpecError) throw error;
      throw new AccountSpecError(`fund: amount of ${token} is not a decimal: ${JSON.stringify(raw)}`);
    }
    amounts[token] = amount;
  }
  return { address, amounts, toPerp: spec.toPerp === true };
}

export function fundAccounts(
  core: ExchangeCore,
  admin: SimAdmin | undefined,
  specs: readonly FundSpec[],
): void {
  const fundings = specs.map((spec) => fundingOf(core, spec));
  for (const { address, amounts, toPerp } of fundings) {
    if (admin !== undefined) admin.fund(address, amounts, { toPerp });
    else core.fund(toAddress(address), amounts, { toPerp });
  }
}

export function approveAgents(admin: SimAdmin | undefined, specs: readonly AgentSpec[]): void {
  if (specs.length === 0) return;
  if (admin === undefined) throw new GatewayAdminUnsupportedError("agents");
  const pairs = specs.map((spec) => {
    try {
      return { master: toAddress(spec.master), agent: toAddress(spec.agent) };
    } catch {
      throw new AccountSpecError(`agent: not an address pair: ${JSON.stringify(spec)}`);
    }
  });
  for (const { master, agent } of pairs) admin.registerAgent(master, agent);
}
