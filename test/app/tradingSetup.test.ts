/**
 * `tradingSetupOf`: whether the process trades on the exchange, from the configuration and the agent key's
 * source — live needs the key, sim may observe without one, paper never uses one, and a configured source
 * that fails is an error rather than a silent fall-back to observing.
 */

import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { exitStatusOf } from "../../hotpath/app/exitStatus.js";
import { StartupRefusedError, tradingSetupOf } from "../../hotpath/app/tradingSetup.js";
import { loadConfig, SecretUnavailableError } from "../../hotpath/config/index.js";
import { createSigner } from "../../hotpath/exchange/signing/index.js";
import { SecretScrubber } from "../../hotpath/observability/redact.js";

const ACCOUNT = `0x${"ab".repeat(20)}`;
const KEY = `0x${randomBytes(32).toString("hex")}`;
const SIM = {
  HLB_INFO_URL: "http://127.0.0.1:9/info",
  HLB_EXCHANGE_URL: "http://127.0.0.1:9/exchange",
  HLB_WS_URL: "ws://127.0.0.1:9/ws",
};
const LIVE = { HLB_MODE: "live", HLB_LIVE_CONFIRM: "I_UNDERSTAND", HLB_ACCOUNT_ADDRESS: ACCOUNT };

function setup(env: Record<string, string>) {
  const config = loadConfig({ argv: [], env });
  return tradingSetupOf(config, {
    env,
    fetchAwsSecret: () => Promise.reject(new Error("AccessDenied")),
    scrubber: new SecretScrubber(),
  });
}

describe("tradingSetupOf", () => {
  it("trades in sim with the agent key for the account, signing for mainnet (what the simulator verifies)", async () => {
    const result = await setup({ ...SIM, HLB_ACCOUNT_ADDRESS: ACCOUNT, HLB_AGENT_PRIVATE_KEY: KEY });
    expect(result.kind).toBe("trading");
    if (result.kind !== "trading") return;
    expect(result.options).toMatchObject({
      account: ACCOUNT,
      network: "mainnet",
      keySource: "env HLB_AGENT_PRIVATE_KEY",
    });
    expect(result.options.signer.address).toBe(createSigner(KEY).address);
  });

  it("signs for the configured network in live", async () => {
    const result = await setup({ ...LIVE, HLB_NETWORK: "testnet", HLB_AGENT_PRIVATE_KEY: KEY });
    expect(result.kind === "trading" && result.options.network).toBe("testnet");
  });

  it("observes in sim without a key, and in paper whatever keys are set", async () => {
    expect(await setup(SIM)).toMatchObject({ kind: "observing" });
    const paper = await setup({
      HLB_MODE: "paper",
      HLB_ACCOUNT_ADDRESS: ACCOUNT,
      HLB_AGENT_PRIVATE_KEY: KEY,
    });
    expect(paper.kind).toBe("observing");
    expect(paper.kind === "observing" && paper.reason).toContain("paper");
  });

  it("refuses live without the agent key, and a key without the account it trades for (exit 2)", async () => {
    const noKey = await setup(LIVE).catch((error: unknown) => error);
    expect(noKey).toBeInstanceOf(StartupRefusedError);
    expect((noKey as Error).message).toContain("HLB_AGENT_PRIVATE_KEY");
    expect(exitStatusOf(noKey)).toBe(2);
    const noAccount = await setup({ ...SIM, HLB_AGENT_PRIVATE_KEY: KEY }).catch((error: unknown) => error);
    expect(noAccount).toBeInstanceOf(StartupRefusedError);
    expect((noAccount as Error).message).toContain("HLB_ACCOUNT_ADDRESS");
  });

  it("fails, in sim too, when a configured key source cannot be read or holds no key", async () => {
    const arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:agent";
    const failing = await setup({
      ...SIM,
      HLB_ACCOUNT_ADDRESS: ACCOUNT,
      HLB_AGENT_KEY_SECRET_ARN: arn,
    }).catch((error: unknown) => error);
    expect(failing).toBeInstanceOf(SecretUnavailableError);
    expect(exitStatusOf(failing)).toBe(2);
    const notAKey = await setup({
      ...SIM,
      HLB_ACCOUNT_ADDRESS: ACCOUNT,
      HLB_AGENT_PRIVATE_KEY: "0x1234",
    }).catch((error: unknown) => error);
    expect(notAKey).toBeInstanceOf(SecretUnavailableError);
    expect((notAKey as Error).message).not.toContain("0x1234");
  });
});
