// The harness of the emulator's checks (check_*.cc): buffers with guard zones, comparisons
// against the CPU kernels, expected errors, and the tally per family.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "device_errors.h"

#if defined(__SANITIZE_ADDRESS__)  // EMU_ASAN=1: guard zones are off limits to reads too
#include <sanitizer/asan_interface.h>
#define CHK_GUARD_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define CHK_GUARD_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define CHK_GUARD_POISON(p, n)
#define CHK_GUARD_UNPOISON(p, n)
#endif

namespace chk {

extern std::mt19937 rng;

// One check: a name and whether it passed (a failure prints its name and why).
void record(bool ok, const std::string& what, const std::string& why = "");
// Runs f as one check; an exception, or a fault on the device error word, fails it.
void run(const std::string& what, const std::function<void()>& f);
// f must throw E (a CUDA kernel's fault may surface at throw_if_device_error(), called after f).
template <class E>
void expect_throw(const std::string& what, const std::function<void()>& f) {
  try {
    f();
    neurec::cuda::throw_if_device_error();
  } catch (const E& e) {
    record(true, what);
    return;
  } catch (const std::exception& e) {
    record(false, what, std::string("threw the wrong kind of error: ") + e.what());
    return;
  }
  record(false, what, "did not throw");
}

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));

// n values of T at a chosen offset from a 256-byte aligned base (off = 1: an unaligned view),
// between guard zones that must survive every kernel (checked by guards_ok and on destruction).
template <class T>
class Buf {
 public:
  explicit Buf(int64_t n_, int off = 0) : n(n_), off_(off), raw_(sizeof(T) * (n_ + 2 * kGuard + off) + 256) {
    base_ = reinterpret_cast<T*>(raw_.data() + (256 - reinterpret_cast<uintptr_t>(raw_.data()) % 256));
    std::memset(static_cast<void*>(base_), kGuardByte, sizeof(T) * (n + 2 * kGuard + off));
    p = base_ + kGuard + off;
    poison();
    CHK_GUARD_POISON(base_, sizeof(T) * (kGuard + off));
    CHK_GUARD_POISON(p + n, sizeof(T) * kGuard);
  }
  Buf(const Buf& o) : Buf(o.n, o.off_) { std::memcpy(static_cast<void*>(p), o.p, sizeof(T) * n); }
  Buf(const Buf& o, int off) : Buf(o.n, off) { std::memcpy(static_cast<void*>(p), o.p, sizeof(T) * n); }
  Buf& operator=(const Buf&) = delete;
  ~Buf() {
    const bool ok = guards_ok();
    CHK_GUARD_UNPOISON(base_, sizeof(T) * (n + 2 * kGuard + off_));  // the vector frees it
    if (!ok) record(false, "guard zones", "a buffer's guard zone was overwritten (a write out of bounds)");
  }
  T* p;
  int64_t n;
  T& operator[](int64_t i) { return p[i]; }
  bool guards_ok() const {
    const unsigned char* b = reinterpret_cast<const unsigned char*>(base_);
    const size_t front = sizeof(T) * (kGuard + off_), back = sizeof(T) * kGuard, end = front + sizeof(T) * n;
    CHK_GUARD_UNPOISON(base_, end + back);
    bool ok = true;
    for (size_t i = 0; i < front; ++i) ok &= b[i] == kGuardByte;
    for (size_t i = 0; i < back; ++i) ok &= b[end + i] == kGuardByte;
    CHK_GUARD_POISON(base_, front);
    CHK_GUARD_POISON(p + n, back);
    return ok;
  }
  void fill(T v) { std::fill(p, p + n, v); }
  void uniform(double lo, double hi) {  // random values in [lo, hi) (integers for integral T)
    std::uniform_real_distribution<double> d(lo, hi);
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(std::is_integral_v<T> ? std::floor(d(rng)) : d(rng));
  }
  void poison() { std::memset(static_cast<void*>(p), 0xFF, sizeof(T) * n); }  // NaN floats, -1 ints

 private:
  static constexpr int kGuard = 64;  // elements each side
  static constexpr unsigned char kGuardByte = 0x7B;
  int off_;
  std::vector<unsigned char> raw_;
  T* base_;
};
using F = Buf<float>;
using I = Buf<int32_t>;

// got ~ want elementwise: |g - w| <= atol + rtol·|w|, or both NaN, or equal (infinities).
// Also fails when got's guard zones were written.
void close(const std::string& what, const F& got, const F& want, double atol, double rtol);
void close(const std::string& what, const float* got, const float* want, int64_t n, double atol, double rtol);
// Bit for bit (NaN payloads aside, -0 != +0).
void same(const std::string& what, const F& got, const F& want);
void same(const std::string& what, const I& got, const I& want);

// Per-family checks, each registered in check_main.cc.
void check_emu();  // the emulator itself (selftest.cu)
void check_elementwise();
void check_shape();
void check_init();
void check_dropout();
void check_optim();
void check_losses();
void check_gather();
void check_topk();
void check_tower();
void check_linear();
void check_linear_tf32();  // with NEUREC_CUDA_TF32=1 set, in a process of its own
void check_batchnorm();

}  // namespace chk
