/**
 * API wallets (agents): which master each agent signs for (PROTOCOL §10.2).
 *
 * Rules modelled: approving a new unnamed agent replaces the master's previous unnamed one, approving a
 * named agent replaces the master's agent of the same name, an agent address belongs to one master at a
 * time, and an agent expires at its `valid_until <ms>` suffix, or 90 days after approval without one. Not
 * modelled: the limit of three named agents, the 180-day cap on `valid_until`, pruning when the master runs
 * out of funds.
 */
import type { Address } from "../../../hotpath/exchange/wire/brands.js";

export interface AgentRecord {
  readonly agent: Address;
  readonly master: Address;
  /** `undefined` for the master's unnamed agent. */
  readonly name: string | undefined;
  /** Ms since the epoch (exchange time). */
  readonly validUntil: number;
}

const VALID_UNTIL_SUFFIX = / valid_until (\d+)$/;
const DEFAULT_VALIDITY_MS = 90 * 86_400_000;

export class AgentRegistry {
  private readonly byAgent = new Map<Address, AgentRecord>();

  /**
   * Registers `agent` for `master`; returns the agents this approval deregistered (the replaced unnamed or
   * same-named agent, or the agent's registration under another master), whose nonce state is then pruned.
   */
  approve(master: Address, agent: Address, agentName: string | undefined, nowMs: number): AgentRecord[] {
    const suffix = agentName === undefined ? null : VALID_UNTIL_SUFFIX.exec(agentName);
    const name =
      agentName === undefined || agentName === "" ? undefined : agentName.replace(VALID_UNTIL_SUFFIX, "");
    const validUntil = suffix?.[1] === undefined ? nowMs + DEFAULT_VALIDITY_MS : Number(suffix[1]);
    const replaced = [...this.byAgent.values()].filter(
      (record) => record.agent === agent || (record.master === master && record.name === name),
    );
    for (const record of replaced) this.byAgent.delete(record.agent);
    this.byAgent.set(agent, { agent, master, name, validUntil });
    return replaced.filter((record) => record.agent !== agent);
  }

  /** The master `agent` signs for at `nowMs`, or `undefined` when it is not a (live) agent. */
  masterOf(agent: Address, nowMs: number): Address | undefined {
    const record = this.byAgent.get(agent);
    if (record === undefined) return undefined;
    if (nowMs > record.validUntil) return undefined;
    return record.master;
  }

  /** The master's named agents, as `extraAgents` lists them. */
  namedAgentsOf(master: Address): AgentRecord[] {
    return [...this.byAgent.values()].filter(
      (record) => record.master === master && record.name !== undefined,
    );
  }
}
