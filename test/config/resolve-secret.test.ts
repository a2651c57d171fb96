/**
 * Secret resolution: from the environment, from AWS Secrets Manager (through the real SDK against a local
 * stand-in server), typed errors that name the source and never the value, registration with the scrubber.
 */

import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { afterEach, describe, expect, it, vi } from "vitest";

import {
  SecretUnavailableError,
  describeSecretSource,
  resolvePrivateKey,
  resolveSecret,
} from "../../hotpath/config/resolve-secret.js";
import { REDACTED, SecretScrubber } from "../../hotpath/observability/redact.js";

const KEY = `0x${"4f".repeat(32)}`;
const ARN = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:hlbasis/agent-Ab12Cd";

async function failure(promise: Promise<unknown>): Promise<SecretUnavailableError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SecretUnavailableError) return error;
    throw error;
  }
  throw new Error("expected a SecretUnavailableError");
}

describe("resolveSecret from the environment", () => {
  it("returns a Secret and registers its value for scrubbing", async () => {
    const scrubber = new SecretScrubber();
    const secret = await resolveSecret(
      { env: "TOKEN" },
      { env: { TOKEN: "  bearer-token-value\n" }, scrubber },
    );
    expect(secret.reveal()).toBe("bearer-token-value");
    expect(secret.description).toBe("env TOKEN");
    expect(scrubber.scrub("auth: bearer-token-value")).toBe(`auth: ${REDACTED}`);
  });

  it("fails with a typed error naming the variable when it is missing or empty", async () => {
    for (const env of [{}, { AGENT: "" }, { AGENT: "   " }]) {
      const error = await failure(resolveSecret({ env: "AGENT" }, { env, scrubber: new SecretScrubber() }));
      expect(error.message).toBe("secret from env AGENT is unavailable: the variable is not set or empty");
      expect(error.source).toEqual({ env: "AGENT" });
    }
  });

  it("refuses values too short to be a real secret", async () => {
    const error = await failure(
      resolveSecret({ env: "T" }, { env: { T: "abc" }, scrubber: new SecretScrubber() }),
    );
    expect(error.message).toContain("too short (3 characters");
    expect(error.message).not.toContain("abc");
  });
});

describe("resolvePrivateKey", () => {
  it("normalises to 0x + lower-case hex and registers every form", async () => {
    const scrubber = new SecretScrubber();
    const bareUpper = KEY.slice(2).toUpperCase();
    const secret = await resolvePrivateKey({ env: "K" }, { env: { K: bareUpper }, scrubber });
    expect(secret.reveal()).toBe(KEY);
    expect(scrubber.scrub(`x ${KEY} y ${bareUpper} z`)).toBe(`x ${REDACTED} y ${REDACTED} z`);
  });

  it("rejects a value that is not a key without showing it", async () => {
    const notKey = `0x${"4f".repeat(31)}`;
    const error = await failure(
      resolvePrivateKey({ env: "K" }, { env: { K: notKey }, scrubber: new SecretScrubber() }),
    );
    expect(error.message).toContain("secret from env K is unavailable: not a private key");
    expect(error.message).not.toContain("4f4f");
  });
});

describe("resolveSecret from AWS Secrets Manager (injected fetcher)", () => {
  it("reads a plain secret string or a field of a JSON secret", async () => {
    const scrubber = new SecretScrubber();
    const plain = await resolveSecret(
      { awsSecretArn: ARN },
      { fetchAwsSecret: () => Promise.resolve(KEY), scrubber },
    );
    expect(plain.reveal()).toBe(KEY);
    const fetchAwsSecret = (arn: string) => Promise.resolve(JSON.stringify({ agentKey: KEY, arn }));
    const field = await resolvePrivateKey(
      { awsSecretArn: ARN, jsonKey: "agentKey" },
      { fetchAwsSecret, scrubber },
    );
    expect(field.reveal()).toBe(KEY);
    expect(field.description).toBe(`AWS secret ${ARN}#agentKey`);
  });

  it("names the source, not the value, when the JSON field is missing or the secret is not JSON", async () => {
    const scrubber = new SecretScrubber();
    const missing = await failure(
      resolveSecret(
        { awsSecretArn: ARN, jsonKey: "agentKey" },
        { fetchAwsSecret: () => Promise.resolve(JSON.stringify({ other: KEY })), scrubber },
      ),
    );
    expect(missing.message).toBe(
      `secret from AWS secret ${ARN}#agentKey is unavailable: the secret JSON has no string field "agentKey"`,
    );
    const notJson = await failure(
      resolveSecret(
        { awsSecretArn: ARN, jsonKey: "agentKey" },
        { fetchAwsSecret: () => Promise.resolve(KEY), scrubber },
      ),
    );
    expect(notJson.message).toContain("not a JSON object (parse error not shown)");
    expect(notJson.message).not.toContain("4f4f");
    expect(notJson.cause).toBeUndefined();
  });

  it("wraps a failed request, keeping the cause", async () => {
    const cause = new Error("AccessDeniedException: not authorized");
    const error = await failure(
      resolveSecret(
        { awsSecretArn: ARN },
        { fetchAwsSecret: () => Promise.reject(cause), scrubber: new SecretScrubber() },
      ),
    );
    expect(error.message).toContain(
      "Secrets Manager request failed (Error: AccessDeniedException: not authorized)",
    );
    expect(error.cause).toBe(cause);
  });
});

describe("resolveSecret through the AWS SDK", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("loads the SDK lazily and calls GetSecretValue in the ARN's region", async () => {
    const requests: { target: string | undefined; body: string; host: string | undefined }[] = [];
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        requests.push({
          target: request.headers["x-amz-target"] as string | undefined,
          body,
          host: request.headers.host,
        });
        response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
        response.end(
          JSON.stringify({ ARN, Name: "hlbasis/agent", SecretString: JSON.stringify({ agentKey: KEY }) }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      vi.stubEnv("AWS_ENDPOINT_URL_SECRETS_MANAGER", `http://127.0.0.1:${port}`);
      vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
      vi.stubEnv("AWS_REGION", "us-east-1");
      const secret = await resolvePrivateKey(
        { awsSecretArn: ARN, jsonKey: "agentKey" },
        { scrubber: new SecretScrubber() },
      );
      expect(secret.reveal()).toBe(KEY);
      expect(requests).toHaveLength(1);
      expect(requests[0]?.target).toBe("secretsmanager.GetSecretValue");
      expect(JSON.parse(requests[0]?.body ?? "{}")).toEqual({ SecretId: ARN });
    } finally {
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    }
  });
});

describe("describeSecretSource", () => {
  it("says where to look", () => {
    expect(describeSecretSource({ env: "HLB_AGENT_PRIVATE_KEY" })).toBe("env HLB_AGENT_PRIVATE_KEY");
    expect(describeSecretSource({ awsSecretArn: ARN })).toBe(`AWS secret ${ARN}`);
  });
});
