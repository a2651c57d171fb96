/**
 * The write-ahead intent journal (see intentJournal.ts for the modes, records.ts for the file format,
 * recovery.ts for what a restart is told).
 */

export {
  IntentJournal,
  JOURNAL_DEFAULTS,
  type AppendableRecord,
  type IntentJournalOptions,
  type JournalMaintenance,
  type JournalStats,
  type ReserveAheadOptions,
} from "./intentJournal.js";
export { recoverJournal, type JournalRecovery, type PossiblySentCloid } from "./recovery.js";
export {
  JOURNAL_FORMAT,
  decodeLine,
  encodeRecord,
  type BootRecord,
  type CloidRange,
  type ClosedRecord,
  type IntentRecord,
  type JournalMode,
  type JournalRecord,
  type OrderRecord,
  type ReleaseRecord,
  type ReleasedRange,
  type ReserveRecord,
  type ResidualRecord,
  type SegmentRecord,
  type SnapshotSummary,
} from "./records.js";
export {
  JournalBusyError,
  JournalClosedError,
  JournalCorruptError,
  JournalFailedError,
  JournalIoError,
  JournalRecordRefusedError,
  JournalWriteError,
  type JournalCorruption,
  type JournalTornTailWarning,
  type JournalWarning,
} from "./errors.js";
export { journalLockPath } from "./journalLock.js";
export { segmentPath, listSegments } from "./segments.js";
export { crc32Utf8 } from "./crc32.js";
