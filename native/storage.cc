#include "storage.h"

#include <climits>
#include <cmath>
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
  int64_t count = 0, dt = 0;
  NR_THROW_RANGE_ERROR_IF(n > static_cast<double>(kMaxNumel) && n == std::floor(n),
                          "Storage: " + number_text(n) + " elements is too large: a tensor holds at most " +
                              std::to_string(kMaxNumel) + " elements (2^32, 16 GiB of float32)");
  NR_THROW_RANGE_ERROR_IF(!whole_in(n, 0, kMaxNumel, &count),
                          "Storage: numel must be a non-negative integer, got " + number_text(n));
  double d = info[1].As<Napi::Number>().DoubleValue();
  NR_THROW_TYPE_ERROR_IF(!whole_in(d, 0, 1, &dt),
                         "Storage: unknown dtype code " + number_text(d) + " (0 = float32, 1 = int32)");
  bool zero = info.Length() > 2 && info[2].ToBoolean().Value();
  numel_ = count;
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

Storage* Storage::From(const Napi::Value& v, const char* what, const char* name) {
  Napi::Env env = v.Env();
  bool ok = false;
  if (v.IsObject()) napi_check_object_type_tag(env, v, mem::storage_tag(), &ok);
  auto label = [&] { return name ? std::string(what) + " " + name : std::string(what); };
  if (!ok) throw Napi::TypeError::New(env, label() + ": expected a " + mem::device_name() + " tensor storage");
  Storage* s = Storage::Unwrap(v.As<Napi::Object>());
  if (s->disposed()) throw Napi::Error::New(env, label() + ": tensor storage was disposed");
  return s;
}

Napi::Value Storage::Dispose(const Napi::CallbackInfo& info) {
  Release(info.Env());
  return info.Env().Undefined();
}

// An optional whole-number argument in [0, hi] (an offset or a length), else `dflt`.
static int64_t index_arg(const Napi::CallbackInfo& info, size_t i, const char* what, const char* name, int64_t hi,
                         int64_t dflt) {
  Napi::Env env = info.Env();
  if (i >= info.Length() || info[i].IsUndefined()) return dflt;
  NR_THROW_TYPE_ERROR_IF(!info[i].IsNumber(), std::string(what) + ": " + name + " must be a number");
  double d = info[i].As<Napi::Number>().DoubleValue();
  int64_t v = 0;
  NR_THROW_RANGE_ERROR_IF(!whole_in(d, 0, hi, &v), std::string(what) + ": " + name + " must be a whole number in [0, " +
                                                       std::to_string(hi) + "], got " + number_text(d));
  return v;
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
  int64_t offset = index_arg(info, 1, "upload", "offset", numel_, 0);
  int64_t len = static_cast<int64_t>(arr.ElementLength());
  NR_THROW_RANGE_ERROR_IF(len > numel_ - offset, "upload: " + std::to_string(len) + " values at offset " +
                                                     std::to_string(offset) + " do not fit a storage of " +
                                                     std::to_string(numel_));
  if (len == 0) return env.Undefined();
  const uint8_t* src = static_cast<const uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
  guarded(env, "upload", [&] { mem::upload(static_cast<uint8_t*>(data_) + offset * 4, src, static_cast<size_t>(len) * 4); });
  return env.Undefined();
}

// download(offset = 0, length = numel - offset): a new typed array with a copy of the values.
Napi::Value Storage::Download(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NR_THROW_ERROR_IF(disposed(), "download: tensor storage was disposed");
  int64_t offset = index_arg(info, 0, "download", "offset", numel_, 0);
  int64_t len = index_arg(info, 1, "download", "length", numel_ - offset, numel_ - offset);
  auto buf = Napi::ArrayBuffer::New(env, static_cast<size_t>(len) * 4);
  if (len > 0)
    guarded(env, "download",
            [&] { mem::download(buf.Data(), static_cast<uint8_t*>(data_) + offset * 4, static_cast<size_t>(len) * 4); });
  if (dtype_ == DType::f32) return Napi::Float32Array::New(env, len, buf, 0);
  return Napi::Int32Array::New(env, len, buf, 0);
}

// fill(value): every element set to value (an int32 storage takes only int32 values).
Napi::Value Storage::Fill(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NR_THROW_ERROR_IF(disposed(), "fill: tensor storage was disposed");
  NR_THROW_TYPE_ERROR_IF(info.Length() < 1 || !info[0].IsNumber(), "fill: expected a number");
  double v = info[0].As<Napi::Number>().DoubleValue();
  uint32_t bits;
  if (dtype_ == DType::f32) {
    float f = static_cast<float>(v);
    std::memcpy(&bits, &f, 4);
  } else {
    int64_t k = 0;
    NR_THROW_RANGE_ERROR_IF(!whole_in(v, INT32_MIN, INT32_MAX, &k),
                            "fill: " + number_text(v) + " is not an int32 value (a whole number in [-2^31, 2^31 - 1])");
    int32_t k32 = static_cast<int32_t>(k);
    std::memcpy(&bits, &k32, 4);
  }
  guarded(env, "fill", [&] { mem::fill32(data_, bits, numel_); });
  return env.Undefined();
}

// copyFrom(src): copies all values of a storage of the same dtype and size.
Napi::Value Storage::CopyFrom(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NR_THROW_ERROR_IF(disposed(), "copyFrom: tensor storage was disposed");
  NR_THROW_TYPE_ERROR_IF(info.Length() < 1, "copyFrom: expected a source storage");
  Storage* src = Storage::From(info[0], "copyFrom", "src");
  NR_THROW_RANGE_ERROR_IF(src->numel_ != numel_ || src->dtype_ != dtype_,
                          "copyFrom: source of " + std::to_string(src->numel_) + " " + dtype_name(src->dtype_) +
                              " does not match " + std::to_string(numel_) + " " + dtype_name(dtype_));
  if (src == this || numel_ == 0) return env.Undefined();  // nothing to move
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
