// The generation engine: batched prefill and decode with a KV cache, n samples per prompt
// sharing one prefill, temperature / top-p / top-k / greedy sampling, logit bias, stop tokens,
// a seeded generator, and per-token log-probs. The whole loop runs in C++ (no per-token
// round trip to JS); it is meant to run on a worker thread.
#pragma once
#include <ATen/ATen.h>

#include <functional>
#include <optional>
#include <vector>

#include "core/qwen/model.h"

namespace vsr1::qwen {

struct SamplingParams {
  int64_t n = 1;
  int64_t maxNewTokens = 256;
  double temperature = 1.0;
  double topP = 1.0;
  int64_t topK = -1;  // <= 0: off
  bool greedy = false;
  std::vector<std::pair<int64_t, double>> logitBias;
  std::vector<int64_t> stopTokenIds;
  int64_t padTokenId = 0;
  uint64_t seed = 0;
  // Sampling noise is keyed by (seed, sequence id, step, token): sequence i of this call has id
  // firstSequenceId + i, so a caller splitting one batch into waves passes each wave's offset and
  // gets the samples one call would give (sequence_noise.h).
  int64_t firstSequenceId = 0;
  // Drop stopped rows from the batch as they accumulate (generate.cpp, maybeCompact); results are
  // the same either way, only the work differs.
  bool compactFinished = true;
  // Continuous batching: at most this many rows decode at once; a row that stops takes the next
  // pending sequence (its prompt's cached prefill copied in), so the batch stays full. 0, or a
  // value >= rows, decodes every row at once (continuous.cpp). Results do not depend on it.
  int64_t maxRows = 0;
};

struct GenerateInput {
  ForwardInput prompt;      // left-padded batch; attention mask marks real tokens
  at::Tensor nextPosition;  // [B] int64: the rotary position of the first generated token
};

struct GenerateOutput {
  at::Tensor tokens;    // [B*n, T] int64, padded with padTokenId after a row stops
  at::Tensor logProbs;  // [B*n, T] float32: log p(token) under softmax(logits / temperature)
  at::Tensor lengths;   // [B*n] int64: generated tokens per row, the stop token included
  // Rows run through the decoder summed over decode steps (stopped rows included until they are
  // compacted out); against the sum of lengths this is the share of decode work spent on live rows.
  int64_t decodedRows = 0;
  // Continuous batching copies a prompt's keys/values into each slot its samples take (one copy
  // per sequence, instead of sharing the prompt's cache): the bytes copied, and on a CPU (where the
  // copy is synchronous) the seconds spent copying; -1 on other devices, where it is only queued.
  int64_t promptCopyBytes = 0;
  double promptCopySeconds = 0;
};

// Turns next-token logits [R, V] into tokens [R] and their log-probs [R] (see SamplingParams).
// Throws unless the sampling values make sense (temperature finite >= 0, top_p in (0, 1], top_k >= -1, no NaN bias).
void checkSampling(const SamplingParams& p);

// Non-finite logits are sampled as zeros (callers check for them: sampling them asserts on CUDA).
std::pair<at::Tensor, at::Tensor> sampleNext(const at::Tensor& logits, const SamplingParams& p, std::optional<at::Generator> gen);

// sampleNext with per-sequence randomness (seqIds, steps: [R] int64) instead of a shared generator.
std::pair<at::Tensor, at::Tensor> sampleNextForSequences(const at::Tensor& logits, const SamplingParams& p, const at::Tensor& seqIds, const at::Tensor& steps);

// Rows whose logits [R, V] hold a NaN or an infinity (sampled from zeros instead: sampling them
// asserts on CUDA), and the error naming them once the caller syncs.
at::Tensor nonFiniteRows(const at::Tensor& logits);
void throwIfNonFinite(const at::Tensor& bad, int64_t step);

// generate() with SamplingParams.maxRows below the row count: a fixed pool of decode slots that
// pending sequences refill as rows stop (continuous.cpp). No onStep streaming.
GenerateOutput generateContinuous(const Model& m, const GenerateInput& gin, const SamplingParams& p);

// `onStep(step, tokens[R])` is called after each decode step when set (streaming).
GenerateOutput generate(const Model& m, const GenerateInput& in, const SamplingParams& p,
                        const std::function<void(int64_t, const at::Tensor&)>& onStep = nullptr);

}  // namespace vsr1::qwen
