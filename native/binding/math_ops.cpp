// [sync] Elementwise math, comparisons and reductions.
#include "binding/args.h"

namespace vsr1::js {
namespace {
#define E info.Env()

// Binary ops take a tensor handle or, when the third argument is true, a JS number/boolean
// as the second operand (handles are numbers too, so the caller says which it passes).
#define BINARY(NAME, CALL)                                                 \
  Napi::Value NAME(const Napi::CallbackInfo& info) {                       \
    const at::Tensor& a = T(info, 0);                                      \
    if (info.Length() > 2 && flag(info, 2)) {                              \
      at::Scalar b = scalar(info, 1);                                      \
      return ret(E, CALL);                                                 \
    }                                                                      \
    const at::Tensor& b = T(info, 1);                                      \
    return ret(E, CALL);                                                   \
  }
BINARY(add, at::add(a, b))
BINARY(sub, at::sub(a, b))
BINARY(mul, at::mul(a, b))
BINARY(div, at::div(a, b))
BINARY(pow, at::pow(a, b))
BINARY(remainder, at::remainder(a, b))
BINARY(eq, at::eq(a, b))
BINARY(ne, at::ne(a, b))
BINARY(lt, at::lt(a, b))
BINARY(le, at::le(a, b))
BINARY(gt, at::gt(a, b))
BINARY(ge, at::ge(a, b))
BINARY(fmod, at::fmod(a, b))
#undef BINARY
// r = a ∘ b for ops libtorch only defines on two tensors.
#define BINARY_T(NAME, CALL)                                               \
  Napi::Value NAME(const Napi::CallbackInfo& info) {                       \
    const at::Tensor& a = T(info, 0);                                      \
    const at::Tensor& b = T(info, 1);                                      \
    return ret(E, CALL);                                                   \
  }
BINARY_T(maximum, at::maximum(a, b))
BINARY_T(minimum, at::minimum(a, b))
BINARY_T(logicalAnd, at::logical_and(a, b))
BINARY_T(logicalOr, at::logical_or(a, b))
BINARY_T(logicalXor, at::logical_xor(a, b))
BINARY_T(atan2, at::atan2(a, b))
#undef BINARY_T
Napi::Value divFloor(const Napi::CallbackInfo& info) {
  if (info.Length() > 2 && flag(info, 2)) return ret(E, at::div(T(info, 0), scalar(info, 1), "floor"));
  return ret(E, at::div(T(info, 0), T(info, 1), "floor"));
}
Napi::Value rpow(const Napi::CallbackInfo& info) { return ret(E, at::pow(scalar(info, 1), T(info, 0))); }
Napi::Value rsub(const Napi::CallbackInfo& info) { return ret(E, at::rsub(T(info, 0), scalar(info, 1))); }
Napi::Value rdiv(const Napi::CallbackInfo& info) { return ret(E, at::div(at::scalar_tensor(scalar(info, 1), T(info, 0).options()), T(info, 0))); }
Napi::Value allclose(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(E, at::allclose(T(info, 0), T(info, 1), num(info, 2), num(info, 3)));
}
Napi::Value equal(const Napi::CallbackInfo& info) { return Napi::Boolean::New(E, at::equal(T(info, 0), T(info, 1))); }
Napi::Value addcmul(const Napi::CallbackInfo& info) { return ret(E, at::addcmul(T(info, 0), T(info, 1), T(info, 2), scalar(info, 3))); }
// lerp(a, end, weight, weightIsScalar)
Napi::Value lerp(const Napi::CallbackInfo& info) {
  if (flag(info, 3)) return ret(E, at::lerp(T(info, 0), T(info, 1), scalar(info, 2)));
  return ret(E, at::lerp(T(info, 0), T(info, 1), T(info, 2)));
}

#define UNARY(NAME, CALL) \
  Napi::Value NAME(const Napi::CallbackInfo& info) { const at::Tensor& a = T(info, 0); return ret(E, CALL); }
UNARY(neg, at::neg(a))
UNARY(exp, at::exp(a))
UNARY(log, at::log(a))
UNARY(log2, at::log2(a))
UNARY(log1p, at::log1p(a))
UNARY(expm1, at::expm1(a))
UNARY(sqrt, at::sqrt(a))
UNARY(rsqrt, at::rsqrt(a))
UNARY(abs, at::abs(a))
UNARY(sign, at::sign(a))
UNARY(sigmoid, at::sigmoid(a))
UNARY(logsigmoid, at::log_sigmoid(a))
UNARY(tanh, at::tanh(a))
UNARY(relu, at::relu(a))
UNARY(silu, at::silu(a))
UNARY(sin, at::sin(a))
UNARY(cos, at::cos(a))
UNARY(reciprocal, at::reciprocal(a))
UNARY(square, at::square(a))
UNARY(floor, at::floor(a))
UNARY(ceil, at::ceil(a))
UNARY(round, at::round(a))
UNARY(trunc, at::trunc(a))
UNARY(logicalNot, at::logical_not(a))
UNARY(isnan, at::isnan(a))
UNARY(isinf, at::isinf(a))
UNARY(isfinite, at::isfinite(a))
UNARY(bitwiseNot, at::bitwise_not(a))
#undef UNARY
// gelu(h, approximate: 'none' | 'tanh')
Napi::Value gelu(const Napi::CallbackInfo& info) {
  std::string approx = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "none";
  return ret(E, at::gelu(T(info, 0), approx));
}
// clamp(h, min|null, max|null, boundsAreTensors): bounds are numbers, or tensor handles.
Napi::Value clamp(const Napi::CallbackInfo& info) {
  const at::Tensor& a = T(info, 0);
  if (flag(info, 3)) return ret(E, at::clamp(a, optT(info, 1), optT(info, 2)));
  std::optional<at::Scalar> lo, hi;
  if (!isNullish(info[1])) lo = scalar(info, 1);
  if (!isNullish(info[2])) hi = scalar(info, 2);
  return ret(E, at::clamp(a, lo, hi));
}
Napi::Value nanToNum(const Napi::CallbackInfo& info) {
  return ret(E, at::nan_to_num(T(info, 0), optNum(info, 1), optNum(info, 2), optNum(info, 3)));
}

// Reductions. dims: null for all, a number or an array.
std::optional<std::vector<int64_t>> dimsArg(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || isNullish(info[i])) return std::nullopt;
  return ints(info, i);
}
std::optional<at::ScalarType> dtypeArg(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || isNullish(info[i])) return std::nullopt;
  return dtype(info, i);
}
// sum(h, dims, keepdim, dtype)
Napi::Value sum(const Napi::CallbackInfo& info) {
  auto d = dimsArg(info, 1);
  if (!d) return ret(E, at::sum(T(info, 0), dtypeArg(info, 3)));
  return ret(E, at::sum(T(info, 0), *d, flag(info, 2), dtypeArg(info, 3)));
}
Napi::Value mean(const Napi::CallbackInfo& info) {
  auto d = dimsArg(info, 1);
  if (!d) return ret(E, at::mean(T(info, 0), dtypeArg(info, 3)));
  return ret(E, at::mean(T(info, 0), *d, flag(info, 2), dtypeArg(info, 3)));
}
Napi::Value prod(const Napi::CallbackInfo& info) {
  if (isNullish(info[1])) return ret(E, at::prod(T(info, 0)));
  return ret(E, at::prod(T(info, 0), i64(info, 1), flag(info, 2)));
}
// max(h) -> value; max(h, dim, keepdim) -> [values, indices]
Napi::Value max(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || isNullish(info[1])) return ret(E, at::max(T(info, 0)));
  return retPair(E, at::max(T(info, 0), i64(info, 1), flag(info, 2)));
}
Napi::Value min(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || isNullish(info[1])) return ret(E, at::min(T(info, 0)));
  return retPair(E, at::min(T(info, 0), i64(info, 1), flag(info, 2)));
}
Napi::Value amax(const Napi::CallbackInfo& info) { return ret(E, at::amax(T(info, 0), ints(info, 1), flag(info, 2))); }
Napi::Value amin(const Napi::CallbackInfo& info) { return ret(E, at::amin(T(info, 0), ints(info, 1), flag(info, 2))); }
Napi::Value argmax(const Napi::CallbackInfo& info) { return ret(E, at::argmax(T(info, 0), optI64(info, 1), flag(info, 2))); }
Napi::Value argmin(const Napi::CallbackInfo& info) { return ret(E, at::argmin(T(info, 0), optI64(info, 1), flag(info, 2))); }
Napi::Value logsumexp(const Napi::CallbackInfo& info) { return ret(E, at::logsumexp(T(info, 0), ints(info, 1), flag(info, 2))); }
// topk(h, k, dim, largest, sorted) -> [values, indices]
Napi::Value topk(const Napi::CallbackInfo& info) {
  return retPair(E, at::topk(T(info, 0), i64(info, 1), i64(info, 2), flag(info, 3), flag(info, 4)));
}
// sort(h, dim, descending, stable) -> [values, indices]
Napi::Value sort(const Napi::CallbackInfo& info) {
  return retPair(E, at::sort(T(info, 0), flag(info, 3), i64(info, 1), flag(info, 2)));
}
Napi::Value argsort(const Napi::CallbackInfo& info) { return ret(E, at::argsort(T(info, 0), flag(info, 3), i64(info, 1), flag(info, 2))); }
Napi::Value cumsum(const Napi::CallbackInfo& info) { return ret(E, at::cumsum(T(info, 0), i64(info, 1), dtypeArg(info, 2))); }
Napi::Value cumprod(const Napi::CallbackInfo& info) { return ret(E, at::cumprod(T(info, 0), i64(info, 1))); }
// std/var(h, dims|null, unbiased, keepdim): unbiased divides by n-1 like torch's default.
Napi::Value stdDev(const Napi::CallbackInfo& info) {
  at::Scalar correction = flag(info, 2) ? 1 : 0;
  auto d = dimsArg(info, 1);
  return ret(E, at::std(T(info, 0), d ? at::OptionalIntArrayRef(*d) : at::OptionalIntArrayRef(), correction, flag(info, 3)));
}
Napi::Value var(const Napi::CallbackInfo& info) {
  at::Scalar correction = flag(info, 2) ? 1 : 0;
  auto d = dimsArg(info, 1);
  return ret(E, at::var(T(info, 0), d ? at::OptionalIntArrayRef(*d) : at::OptionalIntArrayRef(), correction, flag(info, 3)));
}
Napi::Value norm(const Napi::CallbackInfo& info) {
  auto d = dimsArg(info, 2);
  if (!d) return ret(E, at::norm(T(info, 0), scalar(info, 1)));
  return ret(E, at::norm(T(info, 0), scalar(info, 1), *d, flag(info, 3)));
}
Napi::Value all(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || isNullish(info[1])) return ret(E, at::all(T(info, 0)));
  return ret(E, at::all(T(info, 0), i64(info, 1), flag(info, 2)));
}
Napi::Value any(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || isNullish(info[1])) return ret(E, at::any(T(info, 0)));
  return ret(E, at::any(T(info, 0), i64(info, 1), flag(info, 2)));
}

// In-place ops return the same handle (the tensor is modified, no new handle is made);
// the third argument says the operand is a scalar.
#define INPLACE(NAME, CALL_T, CALL_S)                              \
  Napi::Value NAME(const Napi::CallbackInfo& info) {               \
    at::Tensor a = T(info, 0);                                     \
    if (info.Length() > 2 && flag(info, 2)) {                      \
      at::Scalar b = scalar(info, 1);                              \
      CALL_S;                                                      \
    } else {                                                       \
      const at::Tensor& b = T(info, 1);                            \
      CALL_T;                                                      \
    }                                                              \
    return info[0];                                                \
  }
INPLACE(add_, a.add_(b), a.add_(b))
INPLACE(sub_, a.sub_(b), a.sub_(b))
INPLACE(mul_, a.mul_(b), a.mul_(b))
INPLACE(div_, a.div_(b), a.div_(b))
INPLACE(fill_, a.fill_(b), a.fill_(b))
#undef INPLACE
Napi::Value copy_(const Napi::CallbackInfo& info) {
  at::Tensor a = T(info, 0);
  a.copy_(T(info, 1));
  return info[0];
}
Napi::Value zero_(const Napi::CallbackInfo& info) {
  at::Tensor a = T(info, 0);
  a.zero_();
  return info[0];
}
Napi::Value clamp_(const Napi::CallbackInfo& info) {
  at::Tensor a = T(info, 0);
  std::optional<at::Scalar> lo, hi;
  if (!isNullish(info[1])) lo = scalar(info, 1);
  if (!isNullish(info[2])) hi = scalar(info, 2);
  a.clamp_(lo, hi);
  return info[0];
}

#undef E
}  // namespace

void registerMathOps(Napi::Env env, Napi::Object e) {
#define D(n) define(env, e, #n, n)
  D(add); D(sub); D(mul); D(div); D(pow); D(remainder); D(fmod);
  D(eq); D(ne); D(lt); D(le); D(gt); D(ge);
  D(maximum); D(minimum); D(logicalAnd); D(logicalOr); D(logicalXor); D(atan2);
  D(divFloor); D(rpow); D(rsub); D(rdiv); D(allclose); D(equal); D(addcmul); D(lerp);
  D(neg); D(exp); D(log); D(log2); D(log1p); D(expm1); D(sqrt); D(rsqrt); D(abs); D(sign);
  D(sigmoid); D(logsigmoid); D(tanh); D(relu); D(silu); D(sin); D(cos); D(reciprocal); D(square);
  D(floor); D(ceil); D(round); D(trunc); D(logicalNot); D(isnan); D(isinf); D(isfinite); D(bitwiseNot);
  D(gelu); D(clamp); D(nanToNum);
  D(sum); D(mean); D(prod); D(max); D(min); D(amax); D(amin); D(argmax); D(argmin); D(logsumexp);
  D(topk); D(sort); D(argsort); D(cumsum); D(cumprod); D(var); D(norm); D(all); D(any);
  D(add_); D(sub_); D(mul_); D(div_); D(fill_); D(copy_); D(zero_); D(clamp_);
#undef D
  define(env, e, "std", stdDev);
}

}  // namespace vsr1::js
