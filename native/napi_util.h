// Helpers for the N-API wrappers: throw macros and argument unwrapping with checks, so a bad
// argument becomes a JavaScript Error naming the kernel, never a crash.
//
// Size arithmetic happens here and nowhere else in the wrappers: every size is an integer in
// [0, kMaxNumel], and the element count a buffer must hold is formed with mul()/reach(), which
// throw instead of wrapping. Every buffer is then checked to hold that count, so a kernel only
// ever indexes inside its storages. The checks are integer compares on the success path (no
// allocation: messages are built only when a check fails), as each kernel call is a few µs.
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "storage.h"

#define NR_THROW_IF_(cond, Kind, msg)                   \
  do {                                                  \
    if (cond) throw Napi::Kind::New(env, (msg));        \
  } while (0)
#define NR_THROW_ERROR_IF(cond, msg) NR_THROW_IF_(cond, Error, msg)
#define NR_THROW_TYPE_ERROR_IF(cond, msg) NR_THROW_IF_(cond, TypeError, msg)
#define NR_THROW_RANGE_ERROR_IF(cond, msg) NR_THROW_IF_(cond, RangeError, msg)

namespace neurec {

using KernelBinding = Napi::Value (*)(const Napi::CallbackInfo&);

// Every kernel wrapper registers itself here (see NR_KERNEL); addon.cc exports the table.
struct KernelEntry {
  const char* id;
  KernelBinding fn;
};
std::vector<KernelEntry>& kernel_table();
struct KernelRegistration {
  KernelRegistration(const char* id, KernelBinding fn) { kernel_table().push_back({id, fn}); }
};

// The largest number JavaScript holds exactly (2^53): the range of integer arguments that are
// not sizes (seeds, step counts).
constexpr int64_t kMaxSafeInteger = int64_t(1) << 53;

// A whole number in [lo, hi] read exactly from a JS number: false for NaN, fractions and
// anything outside (so 2^32 + 1 is never truncated to 1, nor 2^63 saturated).
inline bool whole_in(double v, int64_t lo, int64_t hi, int64_t* out) {
  if (!(v >= static_cast<double>(lo) && v <= static_cast<double>(hi)) || v != std::floor(v)) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

// "123" for a whole number, else its shortest double spelling ("2.5", "1e+300", "nan").
std::string number_text(double v);

// Reads the arguments of one kernel call by position, each checked, with the kernel id in
// every message. Wrappers read sizes first, then every buffer with the element count it must
// hold. A buffer read with out_f32/out_i32 is an output and may not share its storage with any
// other buffer of the call (checked as buffers are read); f32/i32 buffers may share with each
// other, and an elementwise kernel reads its output with f32 to allow writing in place.
class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* id) : info_(info), id_(id), env(info.Env()) {}

  // A size: a whole number in [0, kMaxNumel].
  int64_t size(size_t i, const char* name) {
    int64_t v;
    double d = number(i, name);
    if (!whole_in(d, 0, kMaxNumel, &v)) bad_size(name, d);
    return v;
  }
  // A whole number in [lo, hi] (a seed, a step count).
  int64_t integer(size_t i, const char* name, int64_t lo = -kMaxSafeInteger, int64_t hi = kMaxSafeInteger) {
    int64_t v;
    double d = number(i, name);
    if (!whole_in(d, lo, hi, &v)) bad_integer(name, d, lo, hi);
    return v;
  }
  // An op or kind code: a whole number in [0, count); `what` names it ("unary op").
  int code(size_t i, const char* name, int count, const char* what) {
    int64_t v;
    double d = number(i, name);
    if (!whole_in(d, 0, count - 1, &v)) bad_code(what, d, count);
    return static_cast<int>(v);
  }

  // x·y (and x·y·z) as element counts: a RangeError instead of a wrapped product.
  int64_t mul(int64_t x, int64_t y) {
    int64_t r;
    if (__builtin_mul_overflow(x, y, &r)) too_large(x, y);
    return r;
  }
  int64_t mul(int64_t x, int64_t y, int64_t z) { return mul(mul(x, y), z); }
  // Elements a strided (M,N) view reaches: (M-1)·rs + (N-1)·cs + 1, or 0 when it is empty.
  int64_t reach(int64_t M, int64_t N, int64_t rs, int64_t cs) {
    if (M == 0 || N == 0) return 0;
    int64_t r;
    if (__builtin_add_overflow(mul(M - 1, rs), mul(N - 1, cs), &r)) too_large(M, N);
    return r + 1;
  }

  float* f32(size_t i, const char* name, int64_t min_numel) {
    return static_cast<float*>(storage(i, name, DType::f32, min_numel, false));
  }
  int32_t* i32(size_t i, const char* name, int64_t min_numel) {
    return static_cast<int32_t*>(storage(i, name, DType::i32, min_numel, false));
  }
  float* out_f32(size_t i, const char* name, int64_t min_numel) {
    return static_cast<float*>(storage(i, name, DType::f32, min_numel, true));
  }
  int32_t* out_i32(size_t i, const char* name, int64_t min_numel) {
    return static_cast<int32_t*>(storage(i, name, DType::i32, min_numel, true));
  }
  // null/undefined gives nullptr.
  float* f32_opt(size_t i, const char* name, int64_t min_numel) { return nullish(i) ? nullptr : f32(i, name, min_numel); }
  int32_t* i32_opt(size_t i, const char* name, int64_t min_numel) { return nullish(i) ? nullptr : i32(i, name, min_numel); }
  float* out_f32_opt(size_t i, const char* name, int64_t min_numel) {
    return nullish(i) ? nullptr : out_f32(i, name, min_numel);
  }

  double number(size_t i, const char* name) {
    Napi::Value v = at(i, name);
    if (!v.IsNumber()) not_a_number(name);
    return v.As<Napi::Number>().DoubleValue();
  }
  bool flag(size_t i, const char* name) { return at(i, name).ToBoolean().Value(); }
  bool nullish(size_t i) const { return i >= info_.Length() || info_[i].IsNull() || info_[i].IsUndefined(); }
  [[noreturn]] void fail_range(const std::string& msg) { throw Napi::RangeError::New(env, std::string(id_) + ": " + msg); }
  [[noreturn]] void fail(const std::string& msg) { throw Napi::Error::New(env, std::string(id_) + ": " + msg); }
  Napi::Value undefined() const { return env.Undefined(); }

 private:
  Napi::Value at(size_t i, const char* name) {
    if (i >= info_.Length()) missing(name);
    return info_[i];
  }
  void* storage(size_t i, const char* name, DType dt, int64_t min_numel, bool out);
  [[noreturn]] void missing(const char* name);
  [[noreturn]] void not_a_number(const char* name);
  [[noreturn]] void bad_size(const char* name, double v);
  [[noreturn]] void bad_integer(const char* name, double v, int64_t lo, int64_t hi);
  [[noreturn]] void bad_code(const char* what, double v, int count);
  [[noreturn]] void too_large(int64_t x, int64_t y);

  // The buffers read so far (a kernel takes at most 9), for the output-sharing check.
  static constexpr int kMaxBuffers = 16;
  struct Seen {
    const void* data;
    const char* name;
    bool out;
  };
  Seen seen_[kMaxBuffers];
  int nseen_ = 0;
  const Napi::CallbackInfo& info_;
  const char* id_;

 public:
  Napi::Env env;
};

}  // namespace neurec

// Defines the wrapper of kernel `id`: body(Args& a) unwraps, checks and calls neurec::cpu::id.
// Exceptions from the pure kernel (std::exception) become a JS Error naming the kernel.
#define NR_KERNEL(id)                                                                          \
  static Napi::Value id##_body(neurec::Args& a);                                               \
  static Napi::Value id##_bind(const Napi::CallbackInfo& info) {                               \
    neurec::Args a(info, #id);                                                                 \
    try {                                                                                      \
      return id##_body(a);                                                                     \
    } catch (const Napi::Error&) {                                                             \
      throw;                                                                                   \
    } catch (const std::exception& e) {                                                        \
      throw Napi::Error::New(info.Env(), std::string(#id) + ": " + e.what());                  \
    }                                                                                          \
  }                                                                                            \
  static neurec::KernelRegistration id##_registration(#id, &id##_bind);                        \
  static Napi::Value id##_body(neurec::Args& a)
