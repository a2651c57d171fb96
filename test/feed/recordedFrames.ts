/**
 * The recorded book frames of the shared fixtures (`shared/hyperliquid/fixtures/`), as raw text:
 * - hftbacktest capture: one compact frame per line after the receive timestamp (as the exchange sends);
 * - HyperLiquid.Net files: the data message after the `=` line, pretty-printed with tabs by that project.
 */

import { readFileSync } from "node:fs";

const FIXTURES = new URL("../../../shared/hyperliquid/fixtures/", import.meta.url);

export interface RecordedFrame {
  readonly source: string;
  readonly text: string;
}

function read(path: string): string {
  return readFileSync(new URL(path, FIXTURES), "utf8");
}

/** Every frame of the capture, whatever its channel. */
export function capturedFrames(): RecordedFrame[] {
  const name = "hftbacktest-capture/hype_ws_capture_2025-01-12.txt";
  return read(name)
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, index) => ({ source: `${name}:${index + 1}`, text: line.slice(line.indexOf(" ") + 1) }));
}

/** The data message of each HyperLiquid.Net subscription file, verbatim (pretty-printed). */
export function jkorfDataFrames(): RecordedFrame[] {
  return ["BookTicker.txt", "OrderBook.txt", "Order.txt", "UserEventTrade.txt"].map((file) => {
    const text = read(`jkorf-hyperliquid-net/${file}`);
    const marker = text.search(/^=/m);
    return { source: `jkorf-hyperliquid-net/${file}`, text: text.slice(marker + 1).trim() };
  });
}

/** The subscription acks the server sent in the HyperLiquid.Net files (`<` lines). */
export function jkorfAckFrames(): RecordedFrame[] {
  return ["BookTicker.txt", "OrderBook.txt", "Order.txt", "UserEventTrade.txt"].flatMap((file) =>
    read(`jkorf-hyperliquid-net/${file}`)
      .split(/\r?\n/)
      .filter((line) => line.startsWith("< "))
      .map((line) => ({ source: `jkorf-hyperliquid-net/${file}`, text: line.slice(2) })),
  );
}
