/**
 * Oracle test: our signatures equal, byte for byte, what `@nktkas/hyperliquid`'s signing functions produce
 * (viem local account underneath) on random requests: random keys, actions built by our builders, random
 * nonces, optional vault, optional expiresAfter, mainnet and testnet, for every secp256k1 backend that
 * loads here. Fixed seeds keep the run reproducible; a failure prints the shrunk counterexample.
 */

import {
  ApproveAgentTypes,
  SpotSendTypes,
  UsdClassTransferTypes,
  UsdSendTypes,
  Withdraw3Types,
} from "@nktkas/hyperliquid/api/exchange";
import {
  createL1ActionHash,
  signL1Action as nkSignL1Action,
  signUserSignedAction as nkSignUserSignedAction,
} from "@nktkas/hyperliquid/signing";
import fc from "fast-check";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import type { UserSignedAction } from "../../hotpath/exchange/wire/actions.js";
import { bytesToHex } from "../../hotpath/exchange/signing/hex.js";
import { l1ActionHash, recoverL1ActionSigner, signL1Action } from "../../hotpath/exchange/signing/l1.js";
import { availableSecp256k1Backends, createSigner } from "../../hotpath/exchange/signing/secp256k1.js";
import {
  recoverUserSignedActionSigner,
  signUserSignedAction,
} from "../../hotpath/exchange/signing/userSigned.js";
import {
  addressArb,
  l1ActionArb,
  msArb,
  networkArb,
  privateKeyArb,
  userSignedActionArb,
} from "./signing/arbitraries.js";

const NK_TYPES: Readonly<Record<UserSignedAction["type"], Record<string, { name: string; type: string }[]>>> =
  {
    usdClassTransfer: UsdClassTransferTypes,
    approveAgent: ApproveAgentTypes,
    usdSend: UsdSendTypes,
    spotSend: SpotSendTypes,
    withdraw3: Withdraw3Types,
  };

const backends = availableSecp256k1Backends();

describe("signatures equal @nktkas/hyperliquid's", () => {
  it(`1000 random L1 requests (backends: ${backends.join(", ")})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          key: privateKeyArb,
          action: l1ActionArb,
          nonce: msArb,
          network: networkArb,
          vaultAddress: fc.option(addressArb, { nil: undefined }),
          expiresAfter: fc.option(msArb, { nil: undefined }),
        }),
        async ({ key, action, nonce, network, vaultAddress, expiresAfter }) => {
          const nkArgs = {
            action: action as unknown as Record<string, unknown>,
            nonce,
            ...(vaultAddress === undefined ? {} : { vaultAddress }),
            ...(expiresAfter === undefined ? {} : { expiresAfter }),
          };
          expect(bytesToHex(l1ActionHash(action, nonce, vaultAddress, expiresAfter))).toBe(
            createL1ActionHash(nkArgs),
          );
          const expected = await nkSignL1Action({
            ...nkArgs,
            wallet: privateKeyToAccount(key),
            isTestnet: network === "testnet",
          });
          for (const backend of backends) {
            const signer = createSigner(key, { backend });
            const params = { action, nonce, network, vaultAddress, expiresAfter };
            const signature = signL1Action({ ...params, signer });
            expect(signature).toEqual(expected);
            expect(recoverL1ActionSigner({ ...params, signature, backend })).toBe(signer.address);
          }
        },
      ),
      { seed: 20260801, numRuns: 1000 },
    );
  });

  it(`300 random user-signed requests (backends: ${backends.join(", ")})`, async () => {
    await fc.assert(
      fc.asyncProperty(privateKeyArb, userSignedActionArb, async (key, action) => {
        const expected = await nkSignUserSignedAction({
          wallet: privateKeyToAccount(key),
          action,
          types: NK_TYPES[action.type],
        });
        for (const backend of backends) {
          const signer = createSigner(key, { backend });
          const signature = signUserSignedAction({ signer, action });
          expect(signature).toEqual(expected);
          expect(recoverUserSignedActionSigner({ action, signature, backend })).toBe(signer.address);
        }
      }),
      { seed: 20260802, numRuns: 300 },
    );
  });

  it("signer addresses equal viem's", () => {
    fc.assert(
      fc.property(privateKeyArb, (key) => {
        const expected = privateKeyToAccount(key).address.toLowerCase();
        for (const backend of backends) expect(createSigner(key, { backend }).address).toBe(expected);
      }),
      { seed: 20260803, numRuns: 100 },
    );
  });
});
