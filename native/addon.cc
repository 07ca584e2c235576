// Module init only: the Storage class, memory stats, and every kernel that registered itself
// with NR_KERNEL (native/bind/*.cc), exported under its kernel id.
#include <napi.h>

#include "napi_util.h"
#include "simd.h"
#include "storage.h"
#include "threadpool.h"

namespace neurec {

namespace {

Napi::Value capabilities(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("avx2Fma", Napi::Boolean::New(info.Env(), cpu_has_avx2_fma()));
  o.Set("threads", Napi::Number::New(info.Env(), num_threads()));
  auto ids = Napi::Array::New(info.Env(), kernel_table().size());
  for (size_t i = 0; i < kernel_table().size(); ++i) ids.Set(i, kernel_table()[i].id);
  o.Set("kernels", ids);
  return o;
}

Napi::Value set_threads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NR_THROW_TYPE_ERROR_IF(info.Length() < 1 || !info[0].IsNumber(), "setNumThreads: expected a number");
  set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(env, num_threads());
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Storage", Storage::Init(env));
  exports.Set("storageStats", Napi::Function::New(env, storage_stats, "storageStats"));
  exports.Set("releaseCache", Napi::Function::New(env, storage_release_cache, "releaseCache"));
  exports.Set("capabilities", Napi::Function::New(env, capabilities, "capabilities"));
  exports.Set("setNumThreads", Napi::Function::New(env, set_threads, "setNumThreads"));
  for (const auto& k : kernel_table()) exports.Set(k.id, Napi::Function::New(env, k.fn, k.id));
  return exports;
}

}  // namespace neurec

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return neurec::Init(env, exports); }

NODE_API_MODULE(neurec_cpu, InitAddon)
