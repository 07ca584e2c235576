// Module init of the CUDA addon neurec_cuda: the device Storage class, memory stats, device
// queries, and every kernel wrapper of native/bind/ (compiled against kernels/backend.h).
#include <cuda_runtime.h>
#include <napi.h>

#include "device_errors.h"
#include "napi_util.h"
#include "storage.h"

namespace neurec {
namespace {

// {devices, error}: how many CUDA devices the runtime sees, and why none when it sees none
// (no driver, a driver too old for this runtime, CUDA_VISIBLE_DEVICES empty...).
Napi::Value device_status(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int n = 0;
  cudaError_t err = cudaGetDeviceCount(&n);
  auto o = Napi::Object::New(env);
  o.Set("devices", Napi::Number::New(env, err == cudaSuccess ? n : 0));
  o.Set("error", err == cudaSuccess ? env.Null()
                                    : Napi::String::New(env, std::string(cudaGetErrorName(err)) + ": " +
                                                                 cudaGetErrorString(err)));
  if (err != cudaSuccess) cudaGetLastError();
  return o;
}

Napi::Value device_count(const Napi::CallbackInfo& info) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();
    n = 0;
  }
  return Napi::Number::New(info.Env(), n);
}

Napi::Value capabilities(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto o = Napi::Object::New(env);
  cudaDeviceProp p{};
  int dev = 0;
  if (cudaGetDevice(&dev) == cudaSuccess && cudaGetDeviceProperties(&p, dev) == cudaSuccess) {
    o.Set("device", Napi::String::New(env, p.name));
    o.Set("computeCapability", Napi::String::New(env, std::to_string(p.major) + "." + std::to_string(p.minor)));
    o.Set("multiprocessors", Napi::Number::New(env, p.multiProcessorCount));
    o.Set("memoryBytes", Napi::Number::New(env, static_cast<double>(p.totalGlobalMem)));
  } else {
    cudaGetLastError();
  }
  o.Set("avx2Fma", Napi::Boolean::New(env, false));
  o.Set("threads", Napi::Number::New(env, 1));
  auto ids = Napi::Array::New(env, kernel_table().size());
  for (size_t i = 0; i < kernel_table().size(); ++i) ids.Set(i, kernel_table()[i].id);
  o.Set("kernels", ids);
  return o;
}

// Waits for every queued kernel (for timing) and reports any fault a kernel recorded.
Napi::Value synchronize(const Napi::CallbackInfo& info) {
  try {
    cuda::throw_if_device_error();
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("synchronize: ") + e.what());
  }
  return info.Env().Undefined();
}

// Host threads do not apply to the device; kept so both addons have one interface.
Napi::Value set_threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), 1); }

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Storage", Storage::Init(env));
  exports.Set("storageStats", Napi::Function::New(env, storage_stats, "storageStats"));
  exports.Set("releaseCache", Napi::Function::New(env, storage_release_cache, "releaseCache"));
  exports.Set("capabilities", Napi::Function::New(env, capabilities, "capabilities"));
  exports.Set("setNumThreads", Napi::Function::New(env, set_threads, "setNumThreads"));
  exports.Set("deviceStatus", Napi::Function::New(env, device_status, "deviceStatus"));
  exports.Set("deviceCount", Napi::Function::New(env, device_count, "deviceCount"));
  exports.Set("synchronize", Napi::Function::New(env, synchronize, "synchronize"));
  for (const auto& k : kernel_table()) exports.Set(k.id, Napi::Function::New(env, k.fn, k.id));
  return exports;
}

}  // namespace neurec

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return neurec::Init(env, exports); }

NODE_API_MODULE(neurec_cuda, InitAddon)
