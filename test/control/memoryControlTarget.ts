/**
 * An in-memory `ControlTarget` for the control API's tests: the contract's behaviour (pause with a reason,
 * resume refused after a kill, settings all or nothing by the strategy's own rules through
 * `compileRuntimeSettings`) without an executor. Not a mock: it keeps real state and refuses what the real
 * one must refuse. `calls` lists every method the API called, so a test can prove a refused request never
 * reached the target.
 */

import { marketScales, type MarketScales } from "../../hotpath/book/scales.js";
import {
  ControlRefusedError,
  type ControlState,
  type ControlTarget,
  type RuntimeSettings,
  type RuntimeSettingsPatch,
} from "../../hotpath/control/controlTarget.js";
import { compileRuntimeSettings, runtimeSettingsOf } from "../../hotpath/control/runtimeSettings.js";
import { DEFAULT_STRATEGY_CONFIG, type StrategyConfig } from "../../hotpath/strategy/strategyConfig.js";

/** HYPE: perp and spot lots are both 0.01. */
export const HYPE_SCALES: MarketScales = marketScales(2, 2);

export class MemoryControlTarget implements ControlTarget {
  readonly calls: string[] = [];
  private paused = false;
  private pausedReason: string | null = null;
  private killed = false;
  private flattenOnKill = false;

  constructor(
    private config: StrategyConfig = DEFAULT_STRATEGY_CONFIG,
    private readonly scales: readonly MarketScales[] = [HYPE_SCALES],
  ) {}

  state(): ControlState {
    return {
      paused: this.paused,
      pausedReason: this.pausedReason,
      killed: this.killed,
      flattenOnKill: this.flattenOnKill,
      settings: runtimeSettingsOf(this.config),
    };
  }

  pause(reason: string): void {
    this.calls.push("pause");
    this.paused = true;
    this.pausedReason = reason;
  }

  resume(): void {
    this.calls.push("resume");
    if (this.killed) throw new ControlRefusedError("killed: a kill ends only with a restart");
    this.paused = false;
    this.pausedReason = null;
  }

  kill(options: { readonly flatten: boolean }): void {
    this.calls.push("kill");
    this.killed = true;
    this.flattenOnKill = this.flattenOnKill || options.flatten;
  }

  applySettings(patch: RuntimeSettingsPatch): RuntimeSettings {
    this.calls.push("applySettings");
    const compiled = compileRuntimeSettings(this.config, patch, this.scales);
    this.config = compiled.config;
    return compiled.settings;
  }
}
