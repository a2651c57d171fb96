/**
 * What the control API drives: the contract between the HTTP routes (`controlRoutes.ts`) and the executor,
 * which implements it. Every method runs on the hot path's event loop (the single writer of the trading
 * state), between frames, and returns synchronously: a control call never waits while the state it changes
 * can move underneath it.
 *
 * Only the settings in `RuntimeSettings` change at runtime. Mode, keys, endpoints, coins and risk limits
 * never do: changing them safely means a restart with a new configuration.
 */

/** What may change at runtime: decimal strings as in the config, validated by `compileStrategy`'s rules. */
export interface RuntimeSettings {
  readonly openThresholdBps: string;
  readonly closeThresholdBps: string;
  readonly clipSize: string;
  readonly maxSlippageBps: string;
}

export type RuntimeSettingsPatch = Partial<RuntimeSettings>;

/** The names of `RuntimeSettings`, in the order responses and logs list them. */
export const RUNTIME_SETTING_NAMES = [
  "openThresholdBps",
  "closeThresholdBps",
  "clipSize",
  "maxSlippageBps",
] as const satisfies readonly (keyof RuntimeSettings)[];

export type RuntimeSettingName = (typeof RUNTIME_SETTING_NAMES)[number];

export interface ControlState {
  /** No new risk; closes and unwinds continue. */
  readonly paused: boolean;
  readonly pausedReason: string | null;
  /** The kill switch was acknowledged: no order at all, except the flatten it may ask for. */
  readonly killed: boolean;
  readonly flattenOnKill: boolean;
  readonly settings: RuntimeSettings;
}

export interface ControlTarget {
  state(): ControlState;
  pause(reason: string): void;
  /** Refuses (throws `ControlRefusedError`) while killed: a kill ends only with a restart. */
  resume(): void;
  /** Stops new risk at once and cancels resting orders; `flatten` also closes both legs of every position. */
  kill(options: { readonly flatten: boolean }): void;
  /**
   * Validates the whole patch first (throws `ControlRefusedError` with the field and reason), then applies
   * all of it or nothing. Returns the settings now in force.
   */
  applySettings(patch: RuntimeSettingsPatch): RuntimeSettings;
}

/**
 * The target refused a well-formed control call because of the state it is in (resume while killed, a
 * threshold that would cross the other, a clip above the risk limit). Nothing changed. The API answers 409.
 */
export class ControlRefusedError extends Error {
  override readonly name = "ControlRefusedError";
  constructor(
    /** Why, for the operator: what is wrong and what would be accepted. */
    readonly reason: string,
    /** The setting at fault (a `RuntimeSettings` name), when one is. */
    readonly field?: string,
  ) {
    super(field === undefined ? reason : `${field}: ${reason}`);
  }
}
