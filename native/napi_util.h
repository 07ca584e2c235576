// Helpers for the N-API wrappers: throw macros and argument unwrapping with checks, so a bad
// argument becomes a JavaScript Error naming the kernel, never a crash.
#pragma once
#include <napi.h>

#include <cmath>
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

// Reads the arguments of one kernel call by position, each checked, with the kernel id in
// every message. Wrappers read sizes first, then check every buffer holds enough elements.
class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* id) : info_(info), id_(id), env(info.Env()) {}

  float* f32(size_t i, const char* name, int64_t min_numel) {
    return static_cast<float*>(storage(i, name, DType::f32, min_numel));
  }
  int32_t* i32(size_t i, const char* name, int64_t min_numel) {
    return static_cast<int32_t*>(storage(i, name, DType::i32, min_numel));
  }
  // null/undefined gives nullptr.
  float* f32_opt(size_t i, const char* name, int64_t min_numel) { return nullish(i) ? nullptr : f32(i, name, min_numel); }
  int32_t* i32_opt(size_t i, const char* name, int64_t min_numel) { return nullish(i) ? nullptr : i32(i, name, min_numel); }
  int64_t size(size_t i, const char* name) {
    double v = number(i, name);
    if (!(v >= 0) || v != std::floor(v) || v > 9e15)
      fail_range(std::string(name) + " must be a non-negative integer, got " + std::to_string(v));
    return static_cast<int64_t>(v);
  }
  int64_t integer(size_t i, const char* name) {
    double v = number(i, name);
    if (v != std::floor(v)) fail_range(std::string(name) + " must be an integer, got " + std::to_string(v));
    return static_cast<int64_t>(v);
  }
  double number(size_t i, const char* name) {
    Napi::Value v = at(i, name);
    if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string(id_) + ": " + name + " must be a number");
    return v.As<Napi::Number>().DoubleValue();
  }
  bool flag(size_t i, const char* name) { return at(i, name).ToBoolean().Value(); }
  bool nullish(size_t i) const { return i >= info_.Length() || info_[i].IsNull() || info_[i].IsUndefined(); }
  [[noreturn]] void fail_range(const std::string& msg) { throw Napi::RangeError::New(env, std::string(id_) + ": " + msg); }
  [[noreturn]] void fail(const std::string& msg) { throw Napi::Error::New(env, std::string(id_) + ": " + msg); }
  Napi::Value undefined() const { return env.Undefined(); }

 private:
  Napi::Value at(size_t i, const char* name) {
    if (i >= info_.Length()) throw Napi::TypeError::New(env, std::string(id_) + ": missing argument " + name);
    return info_[i];
  }
  void* storage(size_t i, const char* name, DType dt, int64_t min_numel) {
    std::string what = std::string(id_) + " " + name;
    Storage* s = Storage::From(at(i, name), what.c_str());
    if (s->dtype() != dt)
      throw Napi::TypeError::New(env, what + ": expected " + dtype_name(dt) + " but got " + dtype_name(s->dtype()));
    if (s->numel() < min_numel)
      throw Napi::RangeError::New(env, what + ": expected at least " + std::to_string(min_numel) +
                                           " elements but the storage holds " + std::to_string(s->numel()));
    return s->data();
  }
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
