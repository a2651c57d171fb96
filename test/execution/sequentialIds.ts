/**
 * Deterministic intent ids and cloids for tests that build intents directly (`rootIntent`): one counter for
 * both, so every id in a test is distinct and predictable.
 */

import { toCloid, type Cloid } from "../../hotpath/exchange/wire/brands.js";
import type { IntentId } from "../../hotpath/execution/intent.js";
import type { IdSource } from "../../hotpath/execution/intentBuilder.js";

export class SequentialIds implements IdSource {
  private sequence = 0;
  nextIntentId(): IntentId {
    this.sequence += 1;
    return `boot:${this.sequence}` as IntentId;
  }
  nextCloid(): Cloid {
    this.sequence += 1;
    return toCloid(`0x${this.sequence.toString(16).padStart(32, "0")}`);
  }
}
