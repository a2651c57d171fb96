import { describe, expect, it } from "vitest";

import { InfraSettingsError, readInfraSettings } from "../../infra/settings.js";

const read = (context: Record<string, unknown>) => readInfraSettings((key) => context[key]);

describe("CDK context settings", () => {
  it("defaults to the aws target in Tokyo on a Graviton c7g.large, paper mode on testnet", () => {
    expect(read({})).toMatchObject({
      target: "aws",
      region: "ap-northeast-1",
      account: undefined,
      network: "testnet",
      hotpathMode: "paper",
      hostArchitecture: "arm64",
      hostInstanceType: "c7g.large",
      nodeMajor: 24,
      natGateway: false,
      logRetentionDays: 30,
      residualExposureAlarmUsdc: 100,
    });
  });

  it("reads CLI strings (-c key=value) and picks the x86 default type", () => {
    expect(
      read({
        hostArchitecture: "x86_64",
        natGateway: "true",
        logRetentionDays: "90",
        account: "123456789012",
      }),
    ).toMatchObject({
      hostInstanceType: "c7i.xlarge",
      natGateway: true,
      logRetentionDays: 90,
      account: "123456789012",
    });
  });

  it("refuses instance types without exactly two physical cores, for the architecture asked", () => {
    expect(() => read({ hostInstanceType: "c7g.xlarge" })).toThrow(
      /hostInstanceType: a arm64 type with 2 physical cores/,
    );
    expect(() => read({ hostArchitecture: "x86_64", hostInstanceType: "c7i.large" })).toThrow(
      InfraSettingsError,
    );
    expect(() => read({ hostArchitecture: "x86_64", hostInstanceType: "c7g.large" })).toThrow(/x86_64 type/);
  });

  it("needs liveConfirm for live mode and databaseUrl for localstack, listing every problem", () => {
    expect(() => read({ hotpathMode: "live" })).toThrow(/liveConfirm: hotpathMode=live needs/);
    expect(read({ hotpathMode: "live", liveConfirm: "I_UNDERSTAND" }).liveConfirm).toBe("I_UNDERSTAND");
    let message = "";
    try {
      read({ target: "localstack", region: "tokyo", natGateway: "yes", alarmEmail: "ops" });
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain("databaseUrl: required for target=localstack");
    expect(message).toContain('region: an AWS region, got "tokyo"');
    expect(message).toContain('natGateway: true or false, got "yes"');
    expect(message).toContain('alarmEmail: an e-mail address, got "ops"');
  });
});
