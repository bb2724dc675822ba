// [sync] Views, shape ops and indexing.
#include "binding/args.h"

namespace vsr1::js {
namespace {
#define E info.Env()

Napi::Value reshape(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).reshape(ints(info, 1))); }
Napi::Value view(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).view(ints(info, 1))); }
Napi::Value permute(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).permute(ints(info, 1))); }
Napi::Value transpose(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).transpose(i64(info, 1), i64(info, 2))); }
Napi::Value contiguous(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).contiguous()); }
Napi::Value clone(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).clone()); }
Napi::Value cat(const Napi::CallbackInfo& info) { return ret(E, at::cat(tensors(info, 0), i64(info, 1))); }
Napi::Value stack(const Napi::CallbackInfo& info) { return ret(E, at::stack(tensors(info, 0), i64(info, 1))); }
// split(h, sizeOrSizes, dim): a number splits into equal chunks, an array into those sizes.
Napi::Value split(const Napi::CallbackInfo& info) {
  if (info[1].IsNumber()) return retList(E, T(info, 0).split(i64(info, 1), i64(info, 2)));
  return retList(E, T(info, 0).split_with_sizes(ints(info, 1), i64(info, 2)));
}
Napi::Value chunk(const Napi::CallbackInfo& info) { return retList(E, T(info, 0).chunk(i64(info, 1), i64(info, 2))); }
Napi::Value unbind(const Napi::CallbackInfo& info) { return retList(E, T(info, 0).unbind(i64(info, 1))); }
Napi::Value narrow(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).narrow(i64(info, 1), i64(info, 2), i64(info, 3))); }
// slice(h, dim, start, end, step): end may be null for "to the end".
Napi::Value slice(const Napi::CallbackInfo& info) {
  return ret(E, T(info, 0).slice(i64(info, 1), optI64(info, 2), optI64(info, 3), info.Length() > 4 && !isNullish(info[4]) ? i64(info, 4) : 1));
}
Napi::Value select(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).select(i64(info, 1), i64(info, 2))); }
Napi::Value unsqueeze(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).unsqueeze(i64(info, 1))); }
Napi::Value squeeze(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || isNullish(info[1])) return ret(E, T(info, 0).squeeze());
  return ret(E, T(info, 0).squeeze(i64(info, 1)));
}
Napi::Value expand(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).expand(ints(info, 1))); }
Napi::Value expandAs(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).expand_as(T(info, 1))); }
Napi::Value repeat(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).repeat(ints(info, 1))); }
Napi::Value repeatInterleave(const Napi::CallbackInfo& info) {
  return ret(E, T(info, 0).repeat_interleave(i64(info, 1), optI64(info, 2)));
}
Napi::Value flatten(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).flatten(i64(info, 1), i64(info, 2))); }
Napi::Value flip(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).flip(ints(info, 1))); }
Napi::Value roll(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).roll(ints(info, 1), ints(info, 2))); }
Napi::Value tril(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).tril(i64(info, 1))); }
Napi::Value triu(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).triu(i64(info, 1))); }
Napi::Value pad(const Napi::CallbackInfo& info) {
  return ret(E, at::constant_pad_nd(T(info, 0), ints(info, 1), scalar(info, 2)));
}

Napi::Value indexSelect(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).index_select(i64(info, 1), T(info, 2))); }
Napi::Value gather(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).gather(i64(info, 1), T(info, 2))); }
Napi::Value scatter(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).scatter(i64(info, 1), T(info, 2), T(info, 3))); }
Napi::Value scatterValue(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).scatter(i64(info, 1), T(info, 2), scalar(info, 3))); }
Napi::Value scatterAdd(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).scatter_add(i64(info, 1), T(info, 2), T(info, 3))); }
// maskedFill(h, mask, value, valueIsScalar)
Napi::Value maskedFill(const Napi::CallbackInfo& info) {
  if (flag(info, 3)) return ret(E, T(info, 0).masked_fill(T(info, 1), scalar(info, 2)));
  return ret(E, T(info, 0).masked_fill(T(info, 1), T(info, 2)));
}
Napi::Value maskedSelect(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).masked_select(T(info, 1))); }
// where(cond, a, b, aIsScalar, bIsScalar)
Napi::Value where(const Napi::CallbackInfo& info) {
  const at::Tensor& c = T(info, 0);
  bool sa = flag(info, 3), sb = flag(info, 4);
  if (sa && sb) return ret(E, at::where(c, scalar(info, 1), scalar(info, 2)));
  if (sa) return ret(E, at::where(c, scalar(info, 1), T(info, 2)));
  if (sb) return ret(E, at::where(c, T(info, 1), scalar(info, 2)));
  return ret(E, at::where(c, T(info, 1), T(info, 2)));
}
Napi::Value nonzero(const Napi::CallbackInfo& info) { return ret(E, T(info, 0).nonzero()); }
// A list of optional index tensors: null keeps a dimension whole (Python's `:`).
c10::List<std::optional<at::Tensor>> indexList(const Napi::CallbackInfo& info, size_t i) {
  auto arr = info[i].As<Napi::Array>();
  c10::List<std::optional<at::Tensor>> idx;
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    Napi::Value v = arr.Get(k);
    if (isNullish(v)) idx.push_back(std::nullopt);
    else idx.push_back(handles().get(v.As<Napi::Number>().DoubleValue()));
  }
  return idx;
}
// index(h, [idx|null, ...]): advanced indexing.
Napi::Value index(const Napi::CallbackInfo& info) { return ret(E, at::index(T(info, 0), indexList(info, 1))); }
// indexPut(h, [idx...], values, accumulate): out-of-place index_put.
Napi::Value indexPut(const Napi::CallbackInfo& info) { return ret(E, at::index_put(T(info, 0), indexList(info, 1), T(info, 2), flag(info, 3))); }
Napi::Value oneHot(const Napi::CallbackInfo& info) { return ret(E, at::one_hot(T(info, 0), i64(info, 1))); }

// Casts and devices.
Napi::Value to(const Napi::CallbackInfo& info) {
  const at::Tensor& t = T(info, 0);
  at::ScalarType dt = isNullish(info[1]) ? t.scalar_type() : dtype(info, 1);
  at::Device dev = isNullish(info[2]) ? t.device() : device(info, 2);
  return ret(E, t.to(dev, dt, /*non_blocking=*/info.Length() > 3 && flag(info, 3)));
}

#undef E
}  // namespace

void registerShapeOps(Napi::Env env, Napi::Object e) {
  define(env, e, "reshape", reshape);
  define(env, e, "view", view);
  define(env, e, "permute", permute);
  define(env, e, "transpose", transpose);
  define(env, e, "contiguous", contiguous);
  define(env, e, "clone", clone);
  define(env, e, "cat", cat);
  define(env, e, "stack", stack);
  define(env, e, "split", split);
  define(env, e, "chunk", chunk);
  define(env, e, "unbind", unbind);
  define(env, e, "narrow", narrow);
  define(env, e, "slice", slice);
  define(env, e, "select", select);
  define(env, e, "unsqueeze", unsqueeze);
  define(env, e, "squeeze", squeeze);
  define(env, e, "expand", expand);
  define(env, e, "expandAs", expandAs);
  define(env, e, "repeat", repeat);
  define(env, e, "repeatInterleave", repeatInterleave);
  define(env, e, "flatten", flatten);
  define(env, e, "flip", flip);
  define(env, e, "roll", roll);
  define(env, e, "tril", tril);
  define(env, e, "triu", triu);
  define(env, e, "pad", pad);
  define(env, e, "indexSelect", indexSelect);
  define(env, e, "gather", gather);
  define(env, e, "scatter", scatter);
  define(env, e, "scatterValue", scatterValue);
  define(env, e, "scatterAdd", scatterAdd);
  define(env, e, "maskedFill", maskedFill);
  define(env, e, "maskedSelect", maskedSelect);
  define(env, e, "where", where);
  define(env, e, "nonzero", nonzero);
  define(env, e, "index", index);
  define(env, e, "indexPut", indexPut);
  define(env, e, "oneHot", oneHot);
  define(env, e, "to", to);
}

}  // namespace vsr1::js
