/**
 * Exchange endpoints per network (PROTOCOL §1). The simulator has no fixed address: it picks a port when
 * it starts, so a `sim` configuration carries no endpoints unless they are given explicitly (for example
 * to reach a simulator started by another process).
 */

export type Network = "mainnet" | "testnet" | "sim";

export interface Endpoints {
  /** `POST` target for info requests. */
  readonly infoUrl: string;
  /** `POST` target for signed actions. */
  readonly exchangeUrl: string;
  /** WebSocket feed (and WS `post` for actions). */
  readonly wsUrl: string;
}

export const NETWORK_ENDPOINTS: Readonly<Record<Exclude<Network, "sim">, Endpoints>> = {
  mainnet: {
    infoUrl: "https://api.hyperliquid.xyz/info",
    exchangeUrl: "https://api.hyperliquid.xyz/exchange",
    wsUrl: "wss://api.hyperliquid.xyz/ws",
  },
  testnet: {
    infoUrl: "https://api.hyperliquid-testnet.xyz/info",
    exchangeUrl: "https://api.hyperliquid-testnet.xyz/exchange",
    wsUrl: "wss://api.hyperliquid-testnet.xyz/ws",
  },
};
