/**
 * The control API's parts on their own: the bearer check, resolving the token at start-up (disabled when
 * unset, an error when unusable), and `compileRuntimeSettings`, the all-or-nothing check executors use.
 */

import { describe, expect, it } from "vitest";

import { Secret } from "../../hotpath/config/secret.js";
import { SecretUnavailableError } from "../../hotpath/config/resolve-secret.js";
import { BearerToken, ControlTokenUnusableError } from "../../hotpath/control/bearerToken.js";
import { resolveControlToken } from "../../hotpath/control/controlToken.js";
import { ControlRefusedError } from "../../hotpath/control/controlTarget.js";
import { compileRuntimeSettings, runtimeSettingsOf } from "../../hotpath/control/runtimeSettings.js";
import { marketScales } from "../../hotpath/book/scales.js";
import { SecretScrubber } from "../../hotpath/observability/redact.js";
import { DEFAULT_STRATEGY_CONFIG } from "../../hotpath/strategy/strategyConfig.js";
import { HYPE_SCALES } from "./memoryControlTarget.js";

const TOKEN = "0123456789abcdef-control";

describe("BearerToken", () => {
  const bearer = new BearerToken(new Secret(TOKEN, "test"));

  it("accepts exactly the configured token, with the scheme in any case", () => {
    expect(bearer.check(`Bearer ${TOKEN}`)).toBe("ok");
    expect(bearer.check(`bearer  ${TOKEN}`)).toBe("ok");
    expect(bearer.check(`BEARER ${TOKEN} `)).toBe("ok");
  });

  it("tells missing, malformed and wrong apart", () => {
    expect(bearer.check("")).toBe("missing");
    for (const header of [
      TOKEN,
      "Bearer",
      "Bearer ",
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN} x`,
      `Bearer\t${TOKEN}`,
    ]) {
      expect(bearer.check(header), header).toBe("malformed");
    }
    for (const token of [`${TOKEN}x`, TOKEN.slice(0, -1), TOKEN.toUpperCase(), "x", `${TOKEN}${TOKEN}`]) {
      expect(bearer.check(`Bearer ${token}`), token).toBe("wrong");
    }
  });

  it("refuses a token too short or not sendable in a header, naming the source, never the value", () => {
    const short = () => new BearerToken(new Secret("short-token", "env HLB_CONTROL_TOKEN"));
    expect(short).toThrow(ControlTokenUnusableError);
    expect(short).toThrow(/env HLB_CONTROL_TOKEN.*11 characters, at least 16/);
    expect(short).not.toThrow(/short-token/);
    expect(() => new BearerToken(new Secret("has a space in the middle", "test"))).toThrow(/printable ASCII/);
    expect(() => new BearerToken(new Secret("ünïcödé-token-of-length", "test"))).toThrow(/printable ASCII/);
  });
});

describe("resolveControlToken", () => {
  const scrubber = new SecretScrubber();

  it("is null (control disabled) when the variable is unset or blank", async () => {
    const source = { env: "HLB_CONTROL_TOKEN" };
    expect(await resolveControlToken(source, { env: {}, scrubber })).toBeNull();
    expect(await resolveControlToken(source, { env: { HLB_CONTROL_TOKEN: "  " }, scrubber })).toBeNull();
  });

  it("resolves a usable token into a Secret registered with the scrubber", async () => {
    const own = new SecretScrubber();
    const token = await resolveControlToken(
      { env: "HLB_CONTROL_TOKEN" },
      { env: { HLB_CONTROL_TOKEN: ` ${TOKEN}\n` }, scrubber: own },
    );
    expect(token?.reveal()).toBe(TOKEN);
    expect(String(token)).toBe("[REDACTED]");
    expect(own.scrub(`header Bearer ${TOKEN}`)).toBe("header Bearer [REDACTED]");
  });

  it("stops start-up on a token that is set but unusable, or a secret that cannot be read", async () => {
    await expect(
      resolveControlToken(
        { env: "HLB_CONTROL_TOKEN" },
        { env: { HLB_CONTROL_TOKEN: "tooshort1" }, scrubber },
      ),
    ).rejects.toThrow(ControlTokenUnusableError);
    const arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:hlb-control";
    await expect(
      resolveControlToken(
        { awsSecretArn: arn },
        {
          scrubber,
          fetchAwsSecret: () => Promise.reject(new Error("AccessDenied")),
        },
      ),
    ).rejects.toThrow(SecretUnavailableError);
    const fromAws = await resolveControlToken(
      { awsSecretArn: arn, jsonKey: "token" },
      { scrubber, fetchAwsSecret: () => Promise.resolve(JSON.stringify({ token: TOKEN })) },
    );
    expect(fromAws?.reveal()).toBe(TOKEN);
  });
});

describe("compileRuntimeSettings", () => {
  it("compiles the patched settings for every market and leaves the rest of the config as it was", () => {
    const compiled = compileRuntimeSettings(
      DEFAULT_STRATEGY_CONFIG,
      { openThresholdBps: "20", maxSlippageBps: "12.5" },
      [HYPE_SCALES, marketScales(0, 2)],
    );
    expect(compiled.settings).toEqual({
      openThresholdBps: "20",
      closeThresholdBps: "3",
      clipSize: "1",
      maxSlippageBps: "12.5",
    });
    expect(compiled.strategies).toHaveLength(2);
    expect(compiled.strategies[0]!.openThresholdBps).toBe(20);
    expect(compiled.strategies[1]!.maxSlippage).toBe(0.00125);
    expect(compiled.config).toEqual({
      ...DEFAULT_STRATEGY_CONFIG,
      openThresholdBps: "20",
      maxSlippageBps: "12.5",
    });
    expect(Object.isFrozen(compiled.config)).toBe(true);
    expect(runtimeSettingsOf(DEFAULT_STRATEGY_CONFIG).openThresholdBps).toBe("15");
  });

  it("ignores keys set to undefined instead of erasing the setting", () => {
    const patch = { clipSize: undefined, closeThresholdBps: "2" } as unknown as { closeThresholdBps: string };
    expect(compileRuntimeSettings(DEFAULT_STRATEGY_CONFIG, patch, [HYPE_SCALES]).settings.clipSize).toBe("1");
  });

  it("refuses with the API's field name, checking every market", () => {
    const refusal = (patch: Record<string, string>, scales = [HYPE_SCALES]): ControlRefusedError => {
      try {
        compileRuntimeSettings(DEFAULT_STRATEGY_CONFIG, patch, scales);
      } catch (error) {
        if (error instanceof ControlRefusedError) return error;
        throw error;
      }
      throw new Error(`accepted ${JSON.stringify(patch)}`);
    };
    expect(refusal({ closeThresholdBps: "15" })).toMatchObject({ field: "closeThresholdBps" });
    expect(refusal({ closeThresholdBps: "15" }).reason).toContain("below openThresholdBps (15)");
    expect(refusal({ openThresholdBps: "2" })).toMatchObject({ field: "closeThresholdBps" });
    expect(refusal({ maxSlippageBps: "5000" })).toMatchObject({ field: "maxSlippageBps" });
    expect(refusal({ clipSize: "5.01" })).toMatchObject({ field: "clipSize" });
    expect(refusal({ clipSize: "0.001" })).toMatchObject({ field: "clipSize" });
    // 1.5 is on HYPE's 0.01 grid, not on a market whose lots are whole units (it would round to 1).
    expect(() =>
      compileRuntimeSettings(DEFAULT_STRATEGY_CONFIG, { clipSize: "1.5" }, [HYPE_SCALES]),
    ).not.toThrow();
    const wholeLots = refusal({ clipSize: "1.5" }, [HYPE_SCALES, marketScales(0, 0)]);
    expect(wholeLots).toMatchObject({ field: "clipSize" });
    expect(wholeLots.reason).toContain("more than 0 decimals");
  });
});
