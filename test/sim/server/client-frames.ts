/**
 * Client → server WebSocket frames (PROTOCOL §2.2, §2.10, §2.11), parsed into a discriminated union.
 *
 * Anything that is not one of the four methods with the fields it needs is `invalid`, answered with the
 * exchange's text `Error parsing JSON into valid websocket request: <frame>` on the `error` channel; the
 * connection stays open. Subscription objects are validated later (`subscriptions.ts`), because their
 * errors have their own texts.
 */
export type PostRequestType = "info" | "action";

export type ClientFrame =
  | { readonly kind: "subscribe" | "unsubscribe"; readonly subscription: unknown }
  | { readonly kind: "ping" }
  | {
      readonly kind: "post";
      readonly id: number;
      readonly requestType: PostRequestType;
      readonly payload: unknown;
    }
  | { readonly kind: "invalid"; readonly error: string };

export function parseError(text: string): string {
  return `Error parsing JSON into valid websocket request: ${text}`;
}

export function parseClientFrame(text: string): ClientFrame {
  const invalid: ClientFrame = { kind: "invalid", error: parseError(text) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return invalid;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return invalid;
  const frame = parsed as Record<string, unknown>;
  switch (frame["method"]) {
    case "subscribe":
    case "unsubscribe":
      if (frame["subscription"] === undefined) return invalid;
      return { kind: frame["method"], subscription: frame["subscription"] };
    case "ping":
      return { kind: "ping" };
    case "post": {
      const id = frame["id"];
      const request = frame["request"];
      if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) return invalid;
      if (typeof request !== "object" || request === null) return invalid;
      const { type, payload } = request as Record<string, unknown>;
      // `explorer` requests are not served over the socket (PROTOCOL §2.11).
      if ((type !== "info" && type !== "action") || typeof payload !== "object" || payload === null) {
        return invalid;
      }
      return { kind: "post", id, requestType: type, payload };
    }
    default:
      return invalid;
  }
}
