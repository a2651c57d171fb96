/**
 * Server → client WebSocket frames, serialised once and shared by every subscriber of a topic.
 *
 * Shapes follow PROTOCOL §2: data frames are `{"channel":…,"data":…}`; acks are `subscriptionResponse`;
 * `post` answers carry `{id, response:{type, payload}}`. Book payloads are the core's views, cut to the
 * subscription's depth; `fast` snapshots carry `fast: true` as NK types them.
 */
import type { L2BookView, PerpAssetCtxView, SpotAssetCtxView } from "../core/index.js";

export const PONG_FRAME = '{"channel":"pong"}';

export function dataFrame(channel: string, data: unknown): string {
  return JSON.stringify({ channel, data });
}

export function errorFrame(text: string): string {
  return JSON.stringify({ channel: "error", data: text });
}

export function ackFrame(method: "subscribe" | "unsubscribe", echo: unknown): string {
  return JSON.stringify({ channel: "subscriptionResponse", data: { method, subscription: echo } });
}

export type PostResponse =
  | { readonly type: "info"; readonly payload: { readonly type: string; readonly data: unknown } }
  | { readonly type: "action"; readonly payload: unknown }
  | { readonly type: "error"; readonly payload: string };

export function postFrame(id: number, response: PostResponse): string {
  return JSON.stringify({ channel: "post", data: { id, response } });
}

/** An l2Book payload with at most `levels` levels a side. */
export function bookData(view: L2BookView, levels: number, fast: boolean): unknown {
  const cut = {
    coin: view.coin,
    time: view.time,
    levels: [view.levels[0].slice(0, levels), view.levels[1].slice(0, levels)],
  };
  return fast ? { ...cut, fast: true } : cut;
}

// Supply figures the core does not model; `activeSpotAssetCtx` carries them (PROTOCOL §2.9). Fixed values
// of the right magnitude for HYPE, so decoders that require the fields accept the frame.
const SPOT_TOTAL_SUPPLY = "999990000";
const SPOT_CIRCULATING_SUPPLY = "333900000";

export function perpCtxData(coin: string, ctx: PerpAssetCtxView): unknown {
  return { coin, ctx };
}

export function spotCtxData(coin: string, ctx: SpotAssetCtxView): unknown {
  return {
    coin,
    ctx: { ...ctx, circulatingSupply: SPOT_CIRCULATING_SUPPLY, totalSupply: SPOT_TOTAL_SUPPLY },
  };
}
