// Args' buffer unwrapping and its failure paths (napi_util.h). Messages are built here, only
// once a check has failed, so the success path allocates nothing.
#include "napi_util.h"

#include <cstdio>

namespace neurec {

std::string number_text(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e18) return std::to_string(static_cast<int64_t>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void* Args::storage(size_t i, const char* name, DType dt, int64_t min_numel, bool out) {
  Storage* s = Storage::From(at(i, name), id_, name);
  if (s->dtype() != dt)
    throw Napi::TypeError::New(env, std::string(id_) + " " + name + ": expected " + dtype_name(dt) + " but got " +
                                        dtype_name(s->dtype()));
  if (s->numel() < min_numel)
    throw Napi::RangeError::New(env, std::string(id_) + " " + name + ": expected at least " + std::to_string(min_numel) +
                                         " elements but the storage holds " + std::to_string(s->numel()));
  const void* p = s->data();
  for (int k = 0; k < nseen_; ++k)
    if (seen_[k].data == p && (out || seen_[k].out))
      throw Napi::Error::New(env, std::string(id_) + ": " + name + " and " + seen_[k].name +
                                      " are the same storage; an output needs a storage of its own");
  if (nseen_ < kMaxBuffers) seen_[nseen_++] = {p, name, out};
  return s->data();
}

void Args::missing(const char* name) {
  throw Napi::TypeError::New(env, std::string(id_) + ": missing argument " + name);
}

void Args::not_a_number(const char* name) {
  throw Napi::TypeError::New(env, std::string(id_) + ": " + name + " must be a number");
}

void Args::bad_size(const char* name, double v) {
  if (v > static_cast<double>(kMaxNumel) && v == std::floor(v))
    fail_range(std::string(name) + " = " + number_text(v) + " is too large: a size is at most " +
               std::to_string(kMaxNumel) + " (2^32, the most elements a storage holds)");
  fail_range(std::string(name) + " must be a non-negative integer, got " + number_text(v));
}

void Args::bad_integer(const char* name, double v, int64_t lo, int64_t hi) {
  fail_range(std::string(name) + " must be a whole number in [" + std::to_string(lo) + ", " + std::to_string(hi) +
             "], got " + number_text(v));
}

void Args::bad_code(const char* what, double v, int count) {
  fail_range("unknown " + std::string(what) + " code " + number_text(v) + " (codes are 0 to " + std::to_string(count - 1) +
             ")");
}

void Args::too_large(int64_t x, int64_t y) {
  fail_range("sizes " + std::to_string(x) + " and " + std::to_string(y) +
             " multiply past int64: no storage is that large (at most " + std::to_string(kMaxNumel) + " elements)");
}

}  // namespace neurec
