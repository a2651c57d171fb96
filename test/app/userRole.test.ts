/**
 * The one `userRole` decoder the hot path's agent-key check and the rebalancer's master-key check share:
 * every documented shape (PROTOCOL §10.2), and what is not one of them is an error, never a guess.
 */

import { describe, expect, it } from "vitest";

import { checkAgentKey, SigningKeyRefusedError } from "../../hotpath/app/agentKeyCheck.js";
import { decodeUserRole, readUserRole, UserRoleReadError } from "../../hotpath/exchange/role/userRole.js";
import { toAddress } from "../../hotpath/exchange/wire/brands.js";
import type { InfoRequest } from "../../hotpath/exchange/wire/info.js";

const KEY = toAddress(`0x${"11".repeat(20)}`);
const ACCOUNT = toAddress(`0x${"22".repeat(20)}`);
const OTHER = toAddress(`0x${"33".repeat(20)}`);

/** An `/info` endpoint that answers `userRole` with `answer` (or fails with it when it is an Error). */
function answering(answer: unknown) {
  const asked: InfoRequest[] = [];
  return {
    asked,
    info: (request: InfoRequest) => {
      asked.push(request);
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  } as const;
}

describe("userRole", () => {
  it("decodes every documented role", () => {
    expect(decodeUserRole({ role: "agent", data: { user: ACCOUNT } })).toEqual({
      ok: true,
      value: { role: "agent", data: { user: ACCOUNT } },
    });
    expect(decodeUserRole({ role: "subAccount", data: { master: ACCOUNT } }).ok).toBe(true);
    for (const role of ["user", "vault", "missing"]) expect(decodeUserRole({ role }).ok).toBe(true);
    expect(decodeUserRole({ role: "agent" }).ok).toBe(false);
    expect(decodeUserRole({ role: "admin" }).ok).toBe(false);
    expect(decodeUserRole("user").ok).toBe(false);
  });

  it("asks for the key's address and reports failures and undecodable answers as UserRoleReadError", async () => {
    const endpoint = answering({ role: "user" });
    expect(await readUserRole(endpoint as never, KEY)).toEqual({ role: "user" });
    expect(endpoint.asked).toEqual([{ type: "userRole", user: KEY }]);
    await expect(readUserRole(answering(new Error("socket hang up")) as never, KEY)).rejects.toThrow(
      UserRoleReadError,
    );
    await expect(readUserRole(answering({ role: 7 }) as never, KEY)).rejects.toThrow(/userRole of 0x1111/);
  });

  it("accepts only an agent of the configured account", async () => {
    const check = (answer: unknown) =>
      checkAgentKey({
        http: answering(answer) as never,
        keyAddress: KEY,
        account: ACCOUNT,
        keySource: "env K",
      });
    await expect(check({ role: "agent", data: { user: ACCOUNT } })).resolves.toBeUndefined();
    for (const [answer, role] of [
      [{ role: "user" }, "user"],
      [{ role: "agent", data: { user: OTHER } }, "otherAccount"],
      [{ role: "subAccount", data: { master: ACCOUNT } }, "subAccount"],
      [{ role: "vault" }, "vault"],
      [{ role: "missing" }, "missing"],
    ] as const) {
      const error = await check(answer).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(SigningKeyRefusedError);
      expect(error).toMatchObject({ role, keyAddress: KEY, account: ACCOUNT });
      expect((error as Error).message).toContain("No order was sent");
    }
  });
});
