#include "core/qwen/vision.h"

#include <stdexcept>
#include <string>

#include "core/checkpoint.h"
#include "core/qwen/layers.h"

namespace vsr1::qwen {

void visionWindowIndex(const VisionConfig& v, const std::vector<Grid>& grids, std::vector<int64_t>& windowIndex, std::vector<int64_t>& cuWindow) {
  const int64_t m = v.spatialMergeSize;
  const int64_t win = v.windowSize / m / v.patchSize;  // window side in merged tokens
  const int64_t unit = m * m;
  cuWindow.assign(1, 0);
  windowIndex.clear();
  int64_t base = 0;
  for (const auto& g : grids) {
    const int64_t gt = g[0], lh = g[1] / m, lw = g[2] / m;
    // HF pads by a whole window even when divisible; empty windows vanish below (zero length).
    const int64_t padH = win - lh % win, padW = win - lw % win;
    const int64_t nh = (lh + padH) / win, nw = (lw + padW) / win;
    for (int64_t t = 0; t < gt; ++t) {
      for (int64_t wy = 0; wy < nh; ++wy) {
        for (int64_t wx = 0; wx < nw; ++wx) {
          int64_t count = 0;
          for (int64_t y = wy * win; y < (wy + 1) * win; ++y) {
            for (int64_t x = wx * win; x < (wx + 1) * win; ++x) {
              if (y < lh && x < lw) {
                windowIndex.push_back(base + t * lh * lw + y * lw + x);
                ++count;
              }
            }
          }
          if (count > 0) cuWindow.push_back(cuWindow.back() + count * unit);
        }
      }
    }
    base += gt * lh * lw;
  }
}

namespace {

// (h, w) position of each patch, in the processor's block-major order (2x2 merge windows contiguous).
at::Tensor patchPositions(const VisionConfig& v, const std::vector<Grid>& grids) {
  std::vector<int64_t> hw;
  const int64_t m = v.spatialMergeSize;
  for (const auto& g : grids) {
    for (int64_t t = 0; t < g[0]; ++t)
      for (int64_t by = 0; by < g[1] / m; ++by)
        for (int64_t bx = 0; bx < g[2] / m; ++bx)
          for (int64_t iy = 0; iy < m; ++iy)
            for (int64_t ix = 0; ix < m; ++ix) {
              hw.push_back(by * m + iy);
              hw.push_back(bx * m + ix);
            }
  }
  return at::tensor(hw, at::kLong).view({-1, 2});
}

// Window or full attention of one block over all images at once: every window (or image) is
// one sequence of the varlen kernel, instead of one attention call per window.
at::Tensor attention(const at::Tensor& x, const VisionBlockW& b, const VisionConfig& v, const at::Tensor& cos, const at::Tensor& sin,
                     const Segments& seg) {
  const int64_t n = x.size(0), heads = v.numHeads;
  at::Tensor qkv = at::linear(x, b.qkvW, b.qkvB).view({n, 3, heads, -1});
  // Rotary in fp32, as HF does for the vision tower (fp64 models keep fp64: they are references).
  const auto rope = x.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
  at::Tensor q = applyRotary(qkv.select(1, 0).to(rope), cos.to(rope), sin.to(rope)).to(x.scalar_type());
  at::Tensor k = applyRotary(qkv.select(1, 1).to(rope), cos.to(rope), sin.to(rope)).to(x.scalar_type());
  at::Tensor o = varlenAttention(q, k, qkv.select(1, 2), seg, /*causal=*/false).reshape({n, -1});
  return at::linear(o, b.projW, b.projB);
}

at::Tensor block(const VisionBlockW& b, const VisionConfig& v, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin, const Segments& seg) {
  at::Tensor h = x + attention(rmsNorm(x, b.norm1, 1e-6), b, v, cos, sin, seg);
  return h + gatedMlp(rmsNorm(h, b.norm2, 1e-6), b.gateW, b.gateB, b.upW, b.upB, b.downW, b.downB);
}

std::vector<at::Tensor> blockParams(const VisionBlockW& b) {
  return {b.norm1, b.norm2, b.qkvW, b.qkvB, b.projW, b.projB, b.gateW, b.gateB, b.upW, b.upB, b.downW, b.downB};
}

}  // namespace

at::Tensor visionForward(const ModelConfig& cfg, const Weights& w, const at::Tensor& pixels, const std::vector<Grid>& grids, bool checkpointBlocks) {
  const VisionConfig& v = cfg.vision;
  int64_t expected = 0;
  for (const auto& g : grids) {
    if (g[1] % v.spatialMergeSize || g[2] % v.spatialMergeSize) {
      throw std::runtime_error("image grid (" + std::to_string(g[0]) + ", " + std::to_string(g[1]) + ", " + std::to_string(g[2]) +
                               ") is not divisible by the merge size " + std::to_string(v.spatialMergeSize));
    }
    expected += g[0] * g[1] * g[2];
  }
  if (pixels.dim() != 2 || pixels.size(0) != expected || pixels.size(1) != v.patchDim()) {
    throw std::runtime_error("pixel values have shape " + c10::str(pixels.sizes()) + " but the image grids need [" + std::to_string(expected) + ", " +
                             std::to_string(v.patchDim()) + "]");
  }
  const int64_t n = expected, unit = v.spatialMergeSize * v.spatialMergeSize;
  // Patch embedding: a Conv3d whose stride equals its kernel is a linear map of each patch.
  at::Tensor x = at::linear(pixels.to(w.patchW.scalar_type()), w.patchW.reshape({v.hiddenSize, -1}));

  std::vector<int64_t> windowIndex, cuWindow;
  visionWindowIndex(v, grids, windowIndex, cuWindow);
  at::Tensor widx = at::tensor(windowIndex, at::kLong).to(x.device());
  Segments windows{cuWindow}, fullSeg{{0}};
  for (const auto& g : grids)
    for (int64_t t = 0; t < g[0]; ++t) fullSeg.cu.push_back(fullSeg.cu.back() + g[1] * g[2]);

  // 2D rotary: the same frequencies for h and w, each over a quarter of the head dim.
  const int64_t hd = v.headDim();
  at::Tensor invFreq = 1.0 / at::pow(v.ropeTheta, at::arange(0, hd / 2, 2, at::kFloat) / static_cast<double>(hd / 2));
  at::Tensor pos = patchPositions(v, grids).to(at::kFloat);               // [n, 2]
  at::Tensor freqs = pos.unsqueeze(-1) * invFreq;                          // [n, 2, hd/4]
  at::Tensor fhw = at::cat({freqs.select(1, 0), freqs.select(1, 1)}, -1);  // [n, hd/2]
  at::Tensor emb = at::cat({fhw, fhw}, -1);                                // [n, hd]
  auto permute = [&](const at::Tensor& t) { return t.reshape({n / unit, unit, -1}).index_select(0, widx).reshape({n, -1}); };
  at::Tensor cos = permute(emb.cos().to(x.device())).unsqueeze(1);  // [n, 1, hd]
  at::Tensor sin = permute(emb.sin().to(x.device())).unsqueeze(1);
  x = permute(x);

  for (int64_t i = 0; i < v.depth; ++i) {
    bool full = false;
    for (auto f : v.fullattBlockIndexes) full = full || f == i;
    const VisionBlockW& b = w.vblocks[i];
    const Segments& seg = full ? fullSeg : windows;
    if (checkpointBlocks) {
      x = checkpointed([b, v, cos, sin, seg](const at::Tensor& in) { return block(b, v, in, cos, sin, seg); }, x, blockParams(b));
    } else {
      x = block(b, v, x, cos, sin, seg);
    }
  }
  at::Tensor merged = rmsNorm(x, w.mergerNorm, 1e-6).view({-1, v.hiddenSize * unit});
  merged = at::linear(at::gelu(at::linear(merged, w.mergerW1, w.mergerB1)), w.mergerW2, w.mergerB2);
  return merged.index_select(0, at::argsort(widx));
}

}  // namespace vsr1::qwen
