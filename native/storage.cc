#include "storage.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include "device_memory.h"
#include "napi_util.h"

namespace neurec {

std::atomic<int64_t> Storage::live_count{0};
std::atomic<int64_t> Storage::live_bytes{0};

namespace {
// Runs a memory call; a std::exception (a CUDA error, say) becomes a JS Error naming `what`.
template <typename F>
void guarded(Napi::Env env, const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string(what) + ": " + e.what());
  }
}
}  // namespace

Napi::Function Storage::Init(Napi::Env env) {
  return DefineClass(env, "Storage",
                     {InstanceMethod<&Storage::Dispose>("dispose"),
                      InstanceMethod<&Storage::Upload>("upload"),
                      InstanceMethod<&Storage::Download>("download"),
                      InstanceMethod<&Storage::Fill>("fill"),
                      InstanceMethod<&Storage::CopyFrom>("copyFrom"),
                      InstanceAccessor<&Storage::GetNumel>("numel"),
                      InstanceAccessor<&Storage::GetDisposed>("disposed")});
}

// new Storage(numel, dtype: 0 = float32 | 1 = int32, zero: boolean)
Storage::Storage(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Storage>(info) {
  Napi::Env env = info.Env();
  NR_THROW_TYPE_ERROR_IF(info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber(),
                         "Storage: expected (numel, dtype)");
  double n = info[0].As<Napi::Number>().DoubleValue();
  NR_THROW_RANGE_ERROR_IF(!(n >= 0) || n > 4e9 || n != static_cast<int64_t>(n),
                          "Storage: numel must be a non-negative integer, got " + std::to_string(n));
  int dt = info[1].As<Napi::Number>().Int32Value();
  NR_THROW_TYPE_ERROR_IF(dt != 0 && dt != 1, "Storage: unknown dtype code " + std::to_string(dt));
  bool zero = info.Length() > 2 && info[2].ToBoolean().Value();
  numel_ = static_cast<int64_t>(n);
  dtype_ = static_cast<DType>(dt);
  size_t bytes = static_cast<size_t>(numel_) * 4;
  guarded(env, "Storage", [&] { data_ = mem::alloc(bytes, &capacity_); });
  NR_THROW_ERROR_IF(data_ == nullptr, std::string("Storage: out of ") + mem::device_name() + " memory allocating " +
                                          std::to_string(bytes) + " bytes");
  if (zero) guarded(env, "Storage", [&] { mem::fill32(data_, 0, numel_); });
  live_count.fetch_add(1);
  live_bytes.fetch_add(static_cast<int64_t>(bytes));
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(bytes));
  napi_type_tag_object(env, info.This(), mem::storage_tag());
}

void Storage::Release(Napi::Env env) {
  if (data_ == nullptr) return;
  mem::release(data_, capacity_);
  data_ = nullptr;
  int64_t bytes = numel_ * 4;
  live_count.fetch_sub(1);
  live_bytes.fetch_sub(bytes);
  Napi::MemoryManagement::AdjustExternalMemory(env, -bytes);
}

Storage::~Storage() { Release(Env()); }

Storage* Storage::From(const Napi::Value& v, const char* what) {
  Napi::Env env = v.Env();
  bool ok = false;
  if (v.IsObject()) napi_check_object_type_tag(env, v, mem::storage_tag(), &ok);
  if (!ok) throw Napi::TypeError::New(env, std::string(what) + ": expected a " + mem::device_name() + " tensor storage");
  Storage* s = Storage::Unwrap(v.As<Napi::Object>());
  if (s->disposed()) throw Napi::Error::New(env, std::string(what) + ": tensor storage was disposed");
  return s;
}

Napi::Value Storage::Dispose(const Napi::CallbackInfo& info) {
  Release(info.Env());
  return info.Env().Undefined();
}

// upload(typedArray, offset = 0): copies the array's values into the storage at offset.
Napi::Value Storage::Upload(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NR_THROW_ERROR_IF(disposed(), "upload: tensor storage was disposed");
  NR_THROW_TYPE_ERROR_IF(info.Length() < 1 || !info[0].IsTypedArray(), "upload: expected a typed array");
  auto arr = info[0].As<Napi::TypedArray>();
  auto want = dtype_ == DType::f32 ? napi_float32_array : napi_int32_array;
  NR_THROW_TYPE_ERROR_IF(arr.TypedArrayType() != want,
                         std::string("upload: expected a ") + (dtype_ == DType::f32 ? "Float32Array" : "Int32Array") +
                             " for a " + dtype_name(dtype_) + " storage");
  int64_t offset = info.Length() > 1 ? info[1].As<Napi::Number>().Int64Value() : 0;
  int64_t len = static_cast<int64_t>(arr.ElementLength());
  NR_THROW_RANGE_ERROR_IF(offset < 0 || offset + len > numel_,
                          "upload: " + std::to_string(len) + " values at offset " + std::to_string(offset) +
                              " do not fit a storage of " + std::to_string(numel_));
  const uint8_t* src = static_cast<const uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
  guarded(env, "upload", [&] { mem::upload(static_cast<uint8_t*>(data_) + offset * 4, src, static_cast<size_t>(len) * 4); });
  return env.Undefined();
}

// download(offset = 0, length = numel - offset): a new typed array with a copy of the values.
Napi::Value Storage::Download(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NR_THROW_ERROR_IF(disposed(), "download: tensor storage was disposed");
  int64_t offset = info.Length() > 0 ? info[0].As<Napi::Number>().Int64Value() : 0;
  int64_t len = info.Length() > 1 ? info[1].As<Napi::Number>().Int64Value() : numel_ - offset;
  NR_THROW_RANGE_ERROR_IF(offset < 0 || len < 0 || offset + len > numel_,
                          "download: range [" + std::to_string(offset) + ", " + std::to_string(offset + len) +
                              ") is outside a storage of " + std::to_string(numel_));
  auto buf = Napi::ArrayBuffer::New(env, static_cast<size_t>(len) * 4);
  guarded(env, "download",
          [&] { mem::download(buf.Data(), static_cast<uint8_t*>(data_) + offset * 4, static_cast<size_t>(len) * 4); });
  if (dtype_ == DType::f32) return Napi::Float32Array::New(env, len, buf, 0);
  return Napi::Int32Array::New(env, len, buf, 0);
}

// fill(value): every element set to value (converted to the storage's dtype).
Napi::Value Storage::Fill(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NR_THROW_ERROR_IF(disposed(), "fill: tensor storage was disposed");
  double v = info[0].As<Napi::Number>().DoubleValue();
  uint32_t bits;
  if (dtype_ == DType::f32) {
    float f = static_cast<float>(v);
    std::memcpy(&bits, &f, 4);
  } else {
    int32_t k = static_cast<int32_t>(v);
    std::memcpy(&bits, &k, 4);
  }
  guarded(env, "fill", [&] { mem::fill32(data_, bits, numel_); });
  return env.Undefined();
}

// copyFrom(src): copies all values of a storage of the same dtype and size.
Napi::Value Storage::CopyFrom(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NR_THROW_ERROR_IF(disposed(), "copyFrom: tensor storage was disposed");
  Storage* src = Storage::From(info[0], "copyFrom");
  NR_THROW_RANGE_ERROR_IF(src->numel_ != numel_ || src->dtype_ != dtype_,
                          "copyFrom: source of " + std::to_string(src->numel_) + " " + dtype_name(src->dtype_) +
                              " does not match " + std::to_string(numel_) + " " + dtype_name(dtype_));
  guarded(env, "copyFrom", [&] { mem::copy(data_, src->data_, static_cast<size_t>(numel_) * 4); });
  return env.Undefined();
}

Napi::Value Storage::GetNumel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(numel_));
}
Napi::Value Storage::GetDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), disposed());
}

Napi::Value storage_stats(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("liveStorages", Napi::Number::New(info.Env(), static_cast<double>(Storage::live_count.load())));
  o.Set("liveBytes", Napi::Number::New(info.Env(), static_cast<double>(Storage::live_bytes.load())));
  o.Set("cachedBytes", Napi::Number::New(info.Env(), static_cast<double>(mem::cached_bytes())));
  return o;
}

}  // namespace neurec

namespace neurec {
Napi::Value storage_release_cache(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(mem::release_cache()));
}
}  // namespace neurec
