// Qwen2.5-VL models from JS. Models are referred to by index.
//   qwenNew(config, dtype, device) [sync] -> index
//   qwenParams(index) [sync] -> {names, handles} (handles share the parameters' memory)
//   qwenInitRandom(index, std, seed) [sync]
//   qwenForward(index, inputs, what) [sync] -> handle of logits [B, L, V] or hidden states
//   qwenLogProbs(index, inputs, targets, start, temperature, withEntropy, chunk) [sync, autograd]
//       -> [logProbs [B, R], entropy [B, R] | null] for the R target tokens at positions start..start+R-1
//   qwenLogProbsAsync(same) [async, autograd] -> Promise of the same
//   qwenLogProbsPacked(index, packedInputs, starts[], lengths[], R, temperature, withEntropy, chunk) [sync, autograd]
//       -> [logProbs [B, R], entropy [B, R] | null] for responses at packed tokens starts[b] .. + lengths[b]
//   qwenLogProbsPackedAsync(same) [async, autograd] -> Promise of the same
//   qwenSetGradientCheckpointing(index, on) [sync]: recompute layer activations in backward
//   qwenMoveTo(index, device) [sync]: moves every weight in place (offload between phases)
//   qwenFusedLayers(index) [sync] -> decoder layers whose projections still run fused in inference
//   qwenGenerate(index, inputs, nextPosition, params, onStep?) [async] -> Promise<{tokens, logProbs, lengths}>
//   qwenFree(index) [sync]
// `inputs` = {inputIds, attentionMask?, positionIds?, pixelValues?, grids?: number[][], cuSeqlens?: number[], imageSources?: number[],
// segmentPrefix?: number[]}; with cuSeqlens the input is packed: inputIds [1, T] holds the sequences back to back, and
// segmentPrefix names, per sequence, an earlier one it reads as a shared prefix (-1 for none).
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/ThreadLocalState.h>
#include <c10/core/InferenceMode.h>

#include <atomic>
#include <memory>
#include <optional>

#include "binding/args.h"
#include "binding/async_task.h"
#include "core/qwen/generate.h"
#include "core/qwen/logprob.h"
#include "core/qwen/model.h"
#include "core/qwen/score.h"

namespace vsr1::js {
namespace {
using namespace vsr1::qwen;
#define E info.Env()

std::vector<std::shared_ptr<Model>>& models() {
  static std::vector<std::shared_ptr<Model>> m;
  return m;
}
std::shared_ptr<Model> model(const Napi::CallbackInfo& info, size_t i) {
  int64_t k = i64(info, i);
  if (k < 0 || k >= static_cast<int64_t>(models().size()) || !models()[k]) throw std::runtime_error("model was disposed");
  return models()[k];
}

int64_t getInt(const Napi::Object& o, const char* key) {
  if (!o.Has(key)) throw std::runtime_error(std::string("config field '") + key + "' is missing");
  return o.Get(key).As<Napi::Number>().Int64Value();
}
double getNum(const Napi::Object& o, const char* key) {
  if (!o.Has(key)) throw std::runtime_error(std::string("config field '") + key + "' is missing");
  return o.Get(key).As<Napi::Number>().DoubleValue();
}
std::vector<int64_t> getInts(const Napi::Object& o, const char* key) {
  if (!o.Has(key)) throw std::runtime_error(std::string("config field '") + key + "' is missing");
  auto a = o.Get(key).As<Napi::Array>();
  std::vector<int64_t> out;
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(a.Get(i).As<Napi::Number>().Int64Value());
  return out;
}

// qwenNew({vision: {...}, text: {...}, imageTokenId}, dtype, device)
Napi::Value qwenNew(const Napi::CallbackInfo& info) {
  auto o = info[0].As<Napi::Object>();
  auto vo = o.Get("vision").As<Napi::Object>();
  auto to = o.Get("text").As<Napi::Object>();
  ModelConfig c;
  c.vision.depth = getInt(vo, "depth");
  c.vision.hiddenSize = getInt(vo, "hiddenSize");
  c.vision.intermediateSize = getInt(vo, "intermediateSize");
  c.vision.numHeads = getInt(vo, "numHeads");
  c.vision.inChannels = getInt(vo, "inChannels");
  c.vision.patchSize = getInt(vo, "patchSize");
  c.vision.temporalPatchSize = getInt(vo, "temporalPatchSize");
  c.vision.spatialMergeSize = getInt(vo, "spatialMergeSize");
  c.vision.windowSize = getInt(vo, "windowSize");
  c.vision.outHiddenSize = getInt(vo, "outHiddenSize");
  c.vision.ropeTheta = getNum(vo, "ropeTheta");
  c.vision.fullattBlockIndexes = getInts(vo, "fullattBlockIndexes");
  c.text.vocabSize = getInt(to, "vocabSize");
  c.text.hiddenSize = getInt(to, "hiddenSize");
  c.text.intermediateSize = getInt(to, "intermediateSize");
  c.text.numLayers = getInt(to, "numLayers");
  c.text.numHeads = getInt(to, "numHeads");
  c.text.numKvHeads = getInt(to, "numKvHeads");
  c.text.rmsNormEps = getNum(to, "rmsNormEps");
  c.text.ropeTheta = getNum(to, "ropeTheta");
  c.text.mropeSection = getInts(to, "mropeSection");
  c.text.tieWordEmbeddings = to.Get("tieWordEmbeddings").ToBoolean().Value();
  if (to.Has("maxPositionEmbeddings") && !isNullish(to.Get("maxPositionEmbeddings"))) c.text.maxPositionEmbeddings = getInt(to, "maxPositionEmbeddings");
  c.imageTokenId = getInt(o, "imageTokenId");
  validate(c);
  models().push_back(std::make_shared<Model>(c, dtype(info, 1), device(info, 2)));
  return Napi::Number::New(E, static_cast<double>(models().size() - 1));
}

Napi::Value qwenParams(const Napi::CallbackInfo& info) {
  auto m = model(info, 0);
  const auto& named = m->w.named();
  auto names = Napi::Array::New(E, named.size());
  auto hs = Napi::Array::New(E, named.size());
  for (size_t k = 0; k < named.size(); ++k) {
    names.Set(static_cast<uint32_t>(k), named[k].first);
    hs.Set(static_cast<uint32_t>(k), Napi::Number::New(E, handles().put(named[k].second)));
  }
  auto o = Napi::Object::New(E);
  o.Set("names", names);
  o.Set("handles", hs);
  return o;
}

Napi::Value qwenInitRandom(const Napi::CallbackInfo& info) {
  model(info, 0)->w.initRandom(num(info, 1), static_cast<uint64_t>(i64(info, 2)));
  return E.Undefined();
}

// A JS array of integers (boundaries, starts, lengths).
std::vector<int64_t> numbers(const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw std::runtime_error(std::string(what) + " must be an array of integers");
  auto a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) out[i] = a.Get(i).As<Napi::Number>().Int64Value();
  return out;
}

// [[t, h, w], ...] -> grids
std::vector<Grid> readGrids(const Napi::Array& a) {
  std::vector<Grid> grids;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    auto g = a.Get(i).As<Napi::Array>();
    if (g.Length() != 3) throw std::runtime_error("each image grid must be [t, h, w]");
    grids.push_back({g.Get(0u).As<Napi::Number>().Int64Value(), g.Get(1u).As<Napi::Number>().Int64Value(), g.Get(2u).As<Napi::Number>().Int64Value()});
  }
  return grids;
}

// Sampling fields shared by qwenGenerate and qwenSample: temperature, topP, topK, greedy, logitBias [[id, bias]].
void readSampling(const Napi::Object& po, SamplingParams& p) {
  p.temperature = getNum(po, "temperature");
  p.topP = getNum(po, "topP");
  p.topK = getInt(po, "topK");
  p.greedy = po.Get("greedy").ToBoolean().Value();
  auto lb = po.Get("logitBias").As<Napi::Array>();
  for (uint32_t i = 0; i < lb.Length(); ++i) {
    auto pair = lb.Get(i).As<Napi::Array>();
    p.logitBias.emplace_back(pair.Get(0u).As<Napi::Number>().Int64Value(), pair.Get(1u).As<Napi::Number>().DoubleValue());
  }
}

ForwardInput readInputs(const Napi::Object& o) {
  ForwardInput in;
  auto tensorField = [&](const char* k) -> at::Tensor {
    if (!o.Has(k) || isNullish(o.Get(k))) return at::Tensor();
    return handles().get(o.Get(k).As<Napi::Number>().DoubleValue());
  };
  in.inputIds = tensorField("inputIds");
  if (!in.inputIds.defined()) throw std::runtime_error("inputs.inputIds is required");
  in.attentionMask = tensorField("attentionMask");
  in.positionIds = tensorField("positionIds");
  in.pixelValues = tensorField("pixelValues");
  if (o.Has("grids") && !isNullish(o.Get("grids"))) in.grids = readGrids(o.Get("grids").As<Napi::Array>());
  if (in.pixelValues.defined() && in.grids.empty()) throw std::runtime_error("inputs.pixelValues given without inputs.grids");
  if (o.Has("cuSeqlens") && !isNullish(o.Get("cuSeqlens"))) in.cuSeqlens = numbers(o.Get("cuSeqlens"), "inputs.cuSeqlens");
  if (o.Has("imageSources") && !isNullish(o.Get("imageSources"))) in.imageSources = numbers(o.Get("imageSources"), "inputs.imageSources");
  if (o.Has("segmentPrefix") && !isNullish(o.Get("segmentPrefix"))) in.segmentPrefix = numbers(o.Get("segmentPrefix"), "inputs.segmentPrefix");
  return in;
}

// qwenForward(index, inputs, what: 'logits' | 'hidden')
Napi::Value qwenForward(const Napi::CallbackInfo& info) {
  auto m = model(info, 0);
  ForwardInput in = readInputs(info[1].As<Napi::Object>());
  std::string what = info.Length() > 2 && info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "logits";
  at::Tensor h = m->hidden(in);
  return ret(E, what == "hidden" ? h : m->logits(h));
}

// The padded scoring of qwenLogProbs: log p of targets [B, R] at positions start..start+R-1.
std::vector<at::Tensor> paddedLogProbs(const Model& m, const ForwardInput& in, const at::Tensor& targetsIn, int64_t start, double temperature, bool withEntropy,
                                       int64_t chunk) {
  at::Tensor targets = targetsIn.to(m.device);
  TORCH_CHECK(targets.dim() == 2 && targets.size(0) == in.inputIds.size(0), "targets must be [batch, R], got ", targets.sizes());
  const int64_t B = targets.size(0), R = targets.size(1);
  TORCH_CHECK(start >= 1 && start + R <= in.inputIds.size(1), "targets at positions [", start, ", ", start + R, ") do not fit in ",
              in.inputIds.size(1), " input positions (position 0 has no preceding token)");
  at::Tensor h = m.hidden(in);
  // The log-prob of the token at position t comes from the logits at position t - 1.
  at::Tensor hs = h.narrow(1, start - 1, R).reshape({B * R, -1});
  at::Tensor ent;
  at::Tensor lp = lmHeadLogProbs(hs, m.w.lmHead, targets.reshape({-1}), temperature, chunk, withEntropy ? &ent : nullptr).view({B, R});
  std::vector<at::Tensor> out{lp};
  if (withEntropy) out.push_back(ent.view({B, R}));
  return out;
}

Napi::Value qwenLogProbs(const Napi::CallbackInfo& info) {
  auto m = model(info, 0);
  ForwardInput in = readInputs(info[1].As<Napi::Object>());
  int64_t chunk = info.Length() > 6 && !isNullish(info[6]) ? i64(info, 6) : 512;
  return retList(E, paddedLogProbs(*m, in, T(info, 2), i64(info, 3), num(info, 4), flag(info, 5), chunk));
}

// qwenLogProbsAsync(same arguments) [async, autograd] -> Promise<[logProbs, entropy?]>
Napi::Value qwenLogProbsAsync(const Napi::CallbackInfo& info) {
  auto m = model(info, 0);
  ForwardInput in = readInputs(info[1].As<Napi::Object>());
  at::Tensor targets = T(info, 2);
  int64_t start = i64(info, 3), chunk = info.Length() > 6 && !isNullish(info[6]) ? i64(info, 6) : 512;
  double temperature = num(info, 4);
  bool withEntropy = flag(info, 5);
  return TensorTask::run(E, "qwenLogProbs", [m, in, targets, start, temperature, withEntropy, chunk]() { return paddedLogProbs(*m, in, targets, start, temperature, withEntropy, chunk); });
}

// The arguments of qwenLogProbsPacked(Async) after the model: packed inputs, response spans, options.
struct PackedScoreArgs {
  ForwardInput in;
  PackedResponses r;
  double temperature;
  bool withEntropy;
  int64_t chunk;
  std::vector<at::Tensor> score(const Model& m) const {
    ScoredResponses s = scorePackedResponses(m, in, r, temperature, chunk, withEntropy);
    std::vector<at::Tensor> out{s.logProbs};
    if (withEntropy) out.push_back(s.entropy);
    return out;
  }
};
PackedScoreArgs packedScoreArgs(const Napi::CallbackInfo& info) {
  return {readInputs(info[1].As<Napi::Object>()), PackedResponses{numbers(info[2], "starts"), numbers(info[3], "lengths"), i64(info, 4)}, num(info, 5), flag(info, 6),
          info.Length() > 7 && !isNullish(info[7]) ? i64(info, 7) : 512};
}

Napi::Value qwenLogProbsPacked(const Napi::CallbackInfo& info) {
  auto m = model(info, 0);
  return retList(E, packedScoreArgs(info).score(*m));
}

// qwenLogProbsPackedAsync(same arguments) [async, autograd] -> Promise<[logProbs, entropy?]>
Napi::Value qwenLogProbsPackedAsync(const Napi::CallbackInfo& info) {
  auto m = model(info, 0);
  return TensorTask::run(E, "qwenLogProbsPacked", [m, a = packedScoreArgs(info)]() { return a.score(*m); });
}

Napi::Value qwenSetGradientCheckpointing(const Napi::CallbackInfo& info) {
  model(info, 0)->gradientCheckpointing = flag(info, 1);
  return E.Undefined();
}

Napi::Value qwenMoveTo(const Napi::CallbackInfo& info) {
  model(info, 0)->moveTo(device(info, 1));
  return E.Undefined();
}

Napi::Value qwenFusedLayers(const Napi::CallbackInfo& info) {
  auto m = model(info, 0);
  int64_t n = 0;
  for (const auto& l : m->w.layers) n += fusedIntact(l) ? 1 : 0;
  return Napi::Number::New(E, static_cast<double>(n));
}

// What the JS thread shares with a streaming generation. The onToken calls and the final
// settlement go through one thread-safe function, so they run in order: the promise settles
// after the last onToken call, and an onToken that throws stops the generation and rejects the
// promise with that error (instead of an uncaught exception ending the process).
struct StreamState {
  explicit StreamState(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise::Deferred deferred;
  std::atomic<bool> callbackFailed{false};
  Napi::ObjectReference callbackError;  // touched on the JS thread only
};

struct StopGeneration : std::runtime_error {
  StopGeneration() : std::runtime_error("the onToken callback threw") {}
};

Napi::Object generateResult(Napi::Env env, const GenerateOutput& out) {
  auto o = Napi::Object::New(env);
  o.Set("tokens", handles().put(out.tokens));
  o.Set("logProbs", handles().put(out.logProbs));
  o.Set("lengths", handles().put(out.lengths));
  o.Set("decodedRows", static_cast<double>(out.decodedRows));
  o.Set("promptCopyBytes", static_cast<double>(out.promptCopyBytes));
  o.Set("promptCopySeconds", out.promptCopySeconds);
  flushExternalMemory(env);
  return o;
}

class GenerateWorker : public Napi::AsyncWorker {
 public:
  GenerateWorker(Napi::Env env, std::shared_ptr<Model> m, GenerateInput in, SamplingParams p, Napi::Function onStep)
      : Napi::AsyncWorker(env), state_(std::make_shared<StreamState>(env)), m_(std::move(m)), in_(std::move(in)), p_(std::move(p)), tls_() {
    if (!onStep.IsEmpty()) {
      tsfn_ = Napi::ThreadSafeFunction::New(env, onStep, "vsr1.generate.onStep", 0, 1);
      streaming_ = true;
    }
  }
  ~GenerateWorker() override {
    if (streaming_) tsfn_.Release();
  }
  Napi::Promise promise() { return state_->deferred.Promise(); }

  void Execute() override {
    try {
      // The JS thread's libtorch thread-local state (an active profiler above all) carries over,
      // so traces show the engine's ops; inference mode is then set here.
      at::ThreadLocalStateGuard tlsGuard(tls_);
      c10::InferenceMode guard;
      std::function<void(int64_t, const at::Tensor&)> cb;
      if (streaming_) cb = [this](int64_t step, const at::Tensor& tok) { stream(step, tok); };
      out_ = generate(*m_, in_, p_, cb);
    } catch (const StopGeneration& e) {
      SetError(e.what());
    } catch (const c10::Error& e) {
      SetError(std::string("qwenGenerate: ") + e.what_without_backtrace());
    } catch (const std::exception& e) {
      SetError(std::string("qwenGenerate: ") + e.what());
    }
  }
  void OnOK() override { settle(std::nullopt); }
  void OnError(const Napi::Error& e) override { settle(e.Message()); }

 private:
  // Worker thread: hands one step's tokens to onToken; stops once a call has thrown.
  void stream(int64_t step, const at::Tensor& tok) {
    if (state_->callbackFailed) throw StopGeneration();
    auto* ids = new std::vector<int64_t>(tok.numel());
    at::Tensor c = tok.to(at::kCPU).contiguous();
    std::copy(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel(), ids->begin());
    tsfn_.NonBlockingCall(ids, [step, st = state_](Napi::Env env, Napi::Function fn, std::vector<int64_t>* v) {
      std::unique_ptr<std::vector<int64_t>> owned(v);
      if (env == nullptr || st->callbackFailed) return;
      auto arr = Napi::Array::New(env, v->size());
      for (size_t i = 0; i < v->size(); ++i) arr.Set(static_cast<uint32_t>(i), static_cast<double>((*v)[i]));
      try {
        fn.Call({Napi::Number::New(env, static_cast<double>(step)), arr});
      } catch (const Napi::Error& e) {
        st->callbackError = Napi::Persistent(e.Value());
        st->callbackFailed = true;
      }
    });
  }

  // JS thread: resolves or rejects. With streaming, behind every queued onToken call.
  void settle(std::optional<std::string> error) {
    auto finish = [error, out = out_](Napi::Env env, StreamState& st) {
      if (st.callbackFailed) st.deferred.Reject(st.callbackError.Value());
      else if (error) st.deferred.Reject(Napi::Error::New(env, *error).Value());
      else st.deferred.Resolve(generateResult(env, out));
    };
    if (!streaming_) return finish(Env(), *state_);
    auto* job = new std::function<void(Napi::Env, StreamState&)>(finish);
    tsfn_.NonBlockingCall(job, [st = state_](Napi::Env env, Napi::Function, std::function<void(Napi::Env, StreamState&)>* f) {
      std::unique_ptr<std::function<void(Napi::Env, StreamState&)>> owned(f);
      if (env != nullptr) (*f)(env, *st);
    });
  }

  std::shared_ptr<StreamState> state_;
  std::shared_ptr<Model> m_;
  GenerateInput in_;
  SamplingParams p_;
  GenerateOutput out_;
  Napi::ThreadSafeFunction tsfn_;
  bool streaming_ = false;
  at::ThreadLocalState tls_;  // captured on the JS thread when the work is queued
};

// qwenGenerate(index, inputs, nextPosition, {n, maxNewTokens, temperature, topP, topK, greedy, logitBias: [[id, bias]], stopTokenIds, padTokenId, seed}, onStep?)
Napi::Value qwenGenerate(const Napi::CallbackInfo& info) {
  auto m = model(info, 0);
  GenerateInput gin{readInputs(info[1].As<Napi::Object>()), T(info, 2)};
  auto po = info[3].As<Napi::Object>();
  SamplingParams p;
  p.n = getInt(po, "n");
  p.maxNewTokens = getInt(po, "maxNewTokens");
  readSampling(po, p);
  p.padTokenId = getInt(po, "padTokenId");
  p.seed = static_cast<uint64_t>(getInt(po, "seed"));
  p.stopTokenIds = getInts(po, "stopTokenIds");
  if (po.Has("firstSequenceId") && !isNullish(po.Get("firstSequenceId"))) p.firstSequenceId = getInt(po, "firstSequenceId");
  if (po.Has("compactFinished") && !isNullish(po.Get("compactFinished"))) p.compactFinished = po.Get("compactFinished").ToBoolean().Value();
  if (po.Has("maxRows") && !isNullish(po.Get("maxRows"))) p.maxRows = getInt(po, "maxRows");
  TORCH_CHECK(p.maxRows >= 0, "maxRows must be >= 0 (0 = every row at once), got ", p.maxRows);
  TORCH_CHECK(p.firstSequenceId >= 0, "firstSequenceId must be >= 0, got ", p.firstSequenceId);
  Napi::Function onStep;
  if (info.Length() > 4 && info[4].IsFunction()) onStep = info[4].As<Napi::Function>();
  auto* w = new GenerateWorker(E, m, std::move(gin), std::move(p), onStep);
  auto promise = w->promise();
  w->Queue();
  return promise;
}

// qwenSample(logits [R, V], {temperature, topP, topK, greedy, logitBias}, seed) -> [tokens, logProbs]
// The engine's sampling step on its own (tests check its statistics on fixed logits).
Napi::Value qwenSample(const Napi::CallbackInfo& info) {
  auto po = info[1].As<Napi::Object>();
  SamplingParams p;
  readSampling(po, p);
  checkSampling(p);
  const at::Tensor& logits = T(info, 0);
  TORCH_CHECK(logits.dim() == 2 && logits.size(1) > 0, "logits must be [rows, vocabulary] with a non-empty vocabulary, got ", logits.sizes());
  TORCH_CHECK(at::isfinite(logits).all().item<bool>(), "logits hold NaN or infinity");
  for (const auto& [id, bias] : p.logitBias) TORCH_CHECK(id >= 0 && id < logits.size(1), "logit bias token ", id, " is outside the vocabulary [0, ", logits.size(1), ")");
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(i64(info, 2)));
  auto [tok, lp] = sampleNext(logits, p, gen);
  return retList(E, {tok, lp});
}

Napi::Value qwenFree(const Napi::CallbackInfo& info) {
  int64_t k = i64(info, 0);
  if (k >= 0 && k < static_cast<int64_t>(models().size())) models()[k].reset();
  return E.Undefined();
}

// qwenWindowIndex(vision config subset {spatialMergeSize, windowSize, patchSize}, grids) -> [windowIndex[], cuWindow[]]
Napi::Value qwenWindowIndex(const Napi::CallbackInfo& info) {
  auto o = info[0].As<Napi::Object>();
  VisionConfig v;
  v.spatialMergeSize = getInt(o, "spatialMergeSize");
  v.windowSize = getInt(o, "windowSize");
  v.patchSize = getInt(o, "patchSize");
  std::vector<Grid> grids = readGrids(info[1].As<Napi::Array>());
  std::vector<int64_t> wi, cu;
  visionWindowIndex(v, grids, wi, cu);
  auto out = Napi::Array::New(E, 2);
  auto toArr = [&](const std::vector<int64_t>& xs) {
    auto r = Napi::Array::New(E, xs.size());
    for (size_t i = 0; i < xs.size(); ++i) r.Set(static_cast<uint32_t>(i), static_cast<double>(xs[i]));
    return r;
  };
  out.Set(0u, toArr(wi));
  out.Set(1u, toArr(cu));
  return out;
}

#undef E
}  // namespace

void registerQwen(Napi::Env env, Napi::Object e) {
  define(env, e, "qwenNew", qwenNew);
  define(env, e, "qwenParams", qwenParams);
  define(env, e, "qwenInitRandom", qwenInitRandom);
  define(env, e, "qwenForward", qwenForward);
  define(env, e, "qwenLogProbs", qwenLogProbs);
  define(env, e, "qwenLogProbsPacked", qwenLogProbsPacked);
  define(env, e, "qwenLogProbsPackedAsync", qwenLogProbsPackedAsync);
  define(env, e, "qwenLogProbsAsync", qwenLogProbsAsync);
  define(env, e, "qwenSetGradientCheckpointing", qwenSetGradientCheckpointing);
  define(env, e, "qwenMoveTo", qwenMoveTo);
  define(env, e, "qwenFusedLayers", qwenFusedLayers);
  define(env, e, "qwenGenerate", qwenGenerate);
  define(env, e, "qwenFree", qwenFree);
  define(env, e, "qwenSample", qwenSample);
  define(env, e, "qwenWindowIndex", qwenWindowIndex);
}

}  // namespace vsr1::js
