// Native tensor storage: one contiguous, 64-byte aligned buffer of float32 or int32 values,
// owned by C++. JavaScript holds it as an opaque object; dispose() frees it at once and the
// finalizer is the backstop. Its size is reported to V8 so the GC sees native memory.
#pragma once
#include <napi.h>

#include <atomic>
#include <cstdint>

namespace neurec {

enum class DType : int { f32 = 0, i32 = 1 };
inline const char* dtype_name(DType d) { return d == DType::f32 ? "float32" : "int32"; }

// The most elements one storage holds: 2^32 (16 GiB of float32). Sizes passed to kernels are
// bounded by it too (napi_util.h), which keeps every element count far from int64 overflow.
constexpr int64_t kMaxNumel = int64_t(1) << 32;

class Storage : public Napi::ObjectWrap<Storage> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Storage(const Napi::CallbackInfo& info);
  ~Storage() override;

  void* data() const { return data_; }
  int64_t numel() const { return numel_; }
  DType dtype() const { return dtype_; }
  bool disposed() const { return data_ == nullptr; }

  // Unwraps a JS value as a live Storage, or throws naming `what` (and `name`, when given).
  static Storage* From(const Napi::Value& v, const char* what, const char* name = nullptr);

  static std::atomic<int64_t> live_count, live_bytes;

 private:
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value Upload(const Napi::CallbackInfo& info);
  Napi::Value Download(const Napi::CallbackInfo& info);
  Napi::Value Fill(const Napi::CallbackInfo& info);
  Napi::Value CopyFrom(const Napi::CallbackInfo& info);
  Napi::Value GetNumel(const Napi::CallbackInfo& info);
  Napi::Value GetDisposed(const Napi::CallbackInfo& info);
  void Release(Napi::Env env);

  void* data_ = nullptr;
  int64_t numel_ = 0;
  DType dtype_ = DType::f32;
  size_t capacity_ = 0;
};

// {liveStorages, liveBytes} across the addon, for memory tests.
Napi::Value storage_stats(const Napi::CallbackInfo& info);
// Frees the allocator's cached blocks; returns the bytes released.
Napi::Value storage_release_cache(const Napi::CallbackInfo& info);

}  // namespace neurec
