// grite doctor: health checks of the repository, the log, its caches and
// its locks, each ok|warn|error with a plan, and the repairs that are safe.
export { runDoctor, type DoctorOptions } from './doctor.js';
export { CHECK_IDS, FIXABLE, type CheckId, type CheckStatus, type DoctorCheck, type DoctorReport, type Finding, type Repair, type ExternalCheck } from './types.js';
export { inspectViewFile, readViewEvents, type ViewFileState } from './view-file.js';
export { scanWal, SCAN_STALL_MS, type WalScan } from './context.js';
