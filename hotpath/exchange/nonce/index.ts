/**
 * Nonces for signed exchange actions: one `NonceAllocator` per signer address (see allocator.ts for the
 * persistence scheme and its cost).
 */

export {
  NonceAllocator,
  NONCE_DEFAULTS,
  EXCHANGE_NONCE_WINDOW,
  type NonceAllocatorOptions,
  type BackgroundRenewal,
} from "./allocator.js";
export {
  NonceClockError,
  NoncePersistenceError,
  NonceStateCorruptError,
  NonceSignerBusyError,
  NonceAllocatorClosedError,
  type NonceClockProblem,
  type NonceClockDetails,
} from "./errors.js";
export { highWaterFilePath } from "./high-water-file.js";
