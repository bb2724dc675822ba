/** Checkpoints: atomic save with retention, the `latest` pointer, discovery for resume, trainer_state.json. */
export { RunLock, LOCK_FILE } from './run_lock.js';
export { saveCheckpoint, recoverInterruptedSaves, recoverRunFolder, writeFileAtomic, SAVE_PHASES, type SavePhase, type RecoveryReport, type SaveCheckpointOptions, type SaveCheckpointResult } from './save.js';
export { findLatestCheckpoint, listCheckpoints, readCheckpoint, LATEST_FILE, type CheckpointInfo } from './discover.js';
export { TRAINER_STATE_FILE, CHECKPOINT_PREFIX, TrainerStateSchema, parseTrainerState, type TrainerState, type TrainerStateInput } from './state.js';
