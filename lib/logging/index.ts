/** Training logs: metrics (console, JSONL, TensorBoard), generation samples, progress bars, phase timings. */
export { MetricsLogger, formatMetricsLine, type MetricsLoggerOptions } from './metrics.js';
export { JsonlWriter, MetricsJsonl } from './jsonl.js';
export { TensorBoardWriter, encodeScalarEvent } from './tensorboard.js';
export { encodeImageValue, encodeSummaryEvent, encodeTextValue, type SummaryImage } from './tb_summaries.js';
export { sampleMarkdown, writeSampleSummaries, type TensorBoardSample } from './sample_summaries.js';
export { tfRecord, maskedCrc32c } from './tfrecord.js';
export { SampleLogger, type SampleRecord } from './samples.js';
export { createProgress, progressEnabled, type Progress, type ProgressOptions } from './progress.js';
export { PhaseTimer, RL_PHASES, type StepTiming } from './phase_timer.js';
