/**
 * The exchange's texts for actions refused as a whole (`{"status":"err","response":…}`), as the gateway
 * returns them. Order and cancel errors come from the core (`test/sim/core/errors.ts`).
 *
 * Sources: PROTOCOL §12, and a third-party capture of testnet answers (riftresearch hypercore-simulator,
 * "Measured testnet observations"; cited as RIFT) for the nonce bounds, expiry, zero signatures and vaults.
 * Texts marked "our own" have no recorded example; they say plainly that the simulator refuses.
 */
import type { Address } from "../../../hotpath/exchange/wire/brands.js";

export const actionRefusals = {
  /** L1 action whose recovered signer is neither an account nor an agent [PROTOCOL §12]. */
  unknownL1Signer: (signer: Address) => `L1 error: User or API Wallet ${signer} does not exist.`,
  /** User-signed action whose recovered signer has no account [RIFT: tampered transfer]. */
  mustDeposit: (signer: Address) => `Must deposit before performing actions. User: ${signer}`,
  /** A signature from which no public key can be recovered [RIFT: zero signature]. */
  unrecoverableSigner: "Unable to recover signer.",
  /** [PROTOCOL §12; RIFT] */
  duplicateNonce: (nonce: number) => `Invalid nonce: duplicate nonce ${nonce}`,
  /** `minimum` is the smallest nonce that would have been accepted [RIFT]. */
  nonceTooLow: (nonce: number, minimum: number) => `Invalid nonce: nonce too low ${nonce} < ${minimum}`,
  /** `maximum` is the largest nonce that would have been accepted [RIFT]. */
  nonceTooHigh: (nonce: number, maximum: number) => `Invalid nonce: nonce too high ${nonce} > ${maximum}`,
  /** `expiresAfter` already past; the nonce is spent all the same [RIFT]. */
  expired: "Action already expired",
  /** A user-signed transfer sent with `vaultAddress` [PROTOCOL §5.8, §12]. */
  vaultMayNotPerform: "Vault may not perform this action.",
  /** An L1 action for a vault or sub-account the exchange does not know; the simulator knows none [RIFT]. */
  vaultNotRegistered: (vault: Address) => `Vault not registered: ${vault}`,
  /** `hyperliquidChain` of the other network [RIFT error catalogue]. */
  wrongChain: "Mainnet and testnet require different signature.",
  /** The action's `nonce`/`time` differs from the envelope's; checked before recovery [RIFT, text UNVERIFIED]. */
  nonceMismatch: "Nonce mismatch.",
  /** Our own: `expiresAfter` is not supported on user-signed actions (PROTOCOL §5.1). */
  expiresAfterOnUserAction: "expiresAfter is not supported on user-signed actions.",
  /** Our own: an order batch without orders. */
  emptyBatch: "Order batch is empty.",
  /** Our own: TP/SL groupings need trigger orders, which the simulator does not model. */
  groupingNotModelled: (grouping: string) => `hlbasis simulator: grouping ${grouping} is not modelled.`,
  /** Our own: trigger (TP/SL) orders are not modelled; answered per order. */
  triggerNotModelled: "hlbasis simulator: trigger orders are not modelled.",
  /** Our own: only cross leverage is modelled. */
  isolatedNotModelled: "hlbasis simulator: isolated margin is not modelled.",
  /** Our own: sub-account transfers (` subaccount:0x…` amounts) are not modelled. */
  subAccountNotModelled: "hlbasis simulator: sub-account transfers are not modelled.",
  /** Our own: an exchange action the simulator does not implement. */
  actionNotModelled: (type: string) => `hlbasis simulator: action ${type} is not modelled.`,
} as const;
