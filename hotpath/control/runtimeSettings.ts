/**
 * For `ControlTarget` implementations: a runtime settings patch checked against the rules the strategy
 * starts with, before anything changes. `compileRuntimeSettings` merges the patch into the running
 * `StrategyConfig`, compiles it for every market with `compileStrategy`, and adds the two cross-field rules
 * the process config enforces at load (`clipSize` at most `risk.maxClip`) or that a runtime change must not
 * silently bend (a clip finer than the quantity grid would be rounded down). The first failure is a
 * `ControlRefusedError` naming the setting; on success the caller swaps in the result whole.
 */

import type { MarketScales } from "../book/scales.js";
import { compare, eq, parseDecimal, roundToDecimals } from "../exchange/decimal/decimal.js";
import { StrategyConfigError } from "../strategy/errors.js";
import { compileStrategy, type MarketStrategy, type StrategyConfig } from "../strategy/strategyConfig.js";
import {
  ControlRefusedError,
  RUNTIME_SETTING_NAMES,
  type RuntimeSettings,
  type RuntimeSettingsPatch,
} from "./controlTarget.js";

export function runtimeSettingsOf(config: StrategyConfig): RuntimeSettings {
  return {
    openThresholdBps: config.openThresholdBps,
    closeThresholdBps: config.closeThresholdBps,
    clipSize: config.clipSize,
    maxSlippageBps: config.maxSlippageBps,
  };
}

export interface CompiledRuntimeSettings {
  readonly config: StrategyConfig;
  readonly settings: RuntimeSettings;
  /** One per entry of `scales`, in the same order. */
  readonly strategies: readonly MarketStrategy[];
}

/** `config.strategy.closeThresholdBps` → `closeThresholdBps`: the control API's names. */
function settingName(field: string): string {
  const name = field.replace(/^strategy\./, "");
  return (RUNTIME_SETTING_NAMES as readonly string[]).includes(name) ? name : field;
}

export function compileRuntimeSettings(
  config: StrategyConfig,
  patch: RuntimeSettingsPatch,
  scales: readonly MarketScales[],
): CompiledRuntimeSettings {
  const next: StrategyConfig = Object.freeze({ ...config, ...definedEntries(patch) });
  let strategies: MarketStrategy[];
  try {
    strategies = scales.map((marketScales) => compileStrategy(next, marketScales));
  } catch (error) {
    if (error instanceof StrategyConfigError) {
      throw new ControlRefusedError(error.message.replace(/strategy\./g, ""), settingName(error.field));
    }
    throw error;
  }
  const clip = parseDecimal(next.clipSize);
  if (compare(clip, parseDecimal(next.limits.maxClip)) > 0) {
    throw new ControlRefusedError(
      `${next.clipSize} is above risk.maxClip (${next.limits.maxClip}), which changes only with a restart`,
      "clipSize",
    );
  }
  for (const marketScales of scales) {
    if (!eq(roundToDecimals(clip, marketScales.qtyDecimals, "down"), clip)) {
      throw new ControlRefusedError(
        `${next.clipSize} has more than ${marketScales.qtyDecimals} decimals, the finest lot traded`,
        "clipSize",
      );
    }
  }
  return { config: next, settings: runtimeSettingsOf(next), strategies };
}

/** The patch without keys set to `undefined` (a JS caller may pass them; spreading would erase a setting). */
function definedEntries(patch: RuntimeSettingsPatch): RuntimeSettingsPatch {
  const entries = RUNTIME_SETTING_NAMES.flatMap((name) => {
    const value = patch[name];
    return value === undefined ? [] : [[name, value] as const];
  });
  return Object.fromEntries(entries);
}
