// The emulator's check driver: runs the families named on the command line (all by default),
// prints a tally per family and exits 1 on any failure.
#include <chrono>
#include <cstdarg>
#include <cstdlib>
#include <exception>

#include "check.h"
#include "cuda_runtime.h"

namespace chk {

std::mt19937 rng(20240607);
namespace {
int g_checks = 0, g_fails = 0;
}

void record(bool ok, const std::string& what, const std::string& why) {
  ++g_checks;
  if (ok) return;
  if (++g_fails <= 200) printf("  FAIL %s%s%s\n", what.c_str(), why.empty() ? "" : ": ", why.c_str());
  fflush(stdout);
}

void run(const std::string& what, const std::function<void()>& f) {
  try {
    f();
    neurec::cuda::throw_if_device_error();  // no fault may be reported for good data
  } catch (const std::exception& e) {
    record(false, what, std::string("threw: ") + e.what());
  }
}

std::string fmt(const char* f, ...) {
  char b[512];
  va_list ap;
  va_start(ap, f);
  vsnprintf(b, sizeof b, f, ap);
  va_end(ap);
  return b;
}

void close(const std::string& what, const float* got, const float* want, int64_t n, double atol, double rtol) {
  double worst = 0;
  int64_t wi = -1;
  for (int64_t i = 0; i < n; ++i) {
    const double g = got[i], w = want[i];
    if ((std::isnan(g) && std::isnan(w)) || g == w) continue;
    const double e = std::isnan(g - w) ? INFINITY : std::fabs(g - w) / (atol + rtol * std::fabs(w));
    if (e > worst || wi < 0) worst = e, wi = i;
  }
  if (wi >= 0 && !(worst <= 1.0))
    return record(false, what, fmt("[%lld] got %.9g want %.9g (n = %lld)", (long long)wi, got[wi], want[wi], (long long)n));
  record(true, what);
}

void close(const std::string& what, const F& got, const F& want, double atol, double rtol) {
  if (!got.guards_ok()) return record(false, what, "wrote outside the output");
  close(what, got.p, want.p, got.n, atol, rtol);
}

void same(const std::string& what, const F& got, const F& want) {
  if (!got.guards_ok()) return record(false, what, "wrote outside the output");
  for (int64_t i = 0; i < got.n; ++i) {
    const bool nan = std::isnan(got.p[i]) && std::isnan(want.p[i]);
    if (!nan && std::memcmp(&got.p[i], &want.p[i], 4) != 0)
      return record(false, what, fmt("[%lld] got %.9g want %.9g (n = %lld)", (long long)i, got.p[i], want.p[i], (long long)got.n));
  }
  record(true, what);
}

void same(const std::string& what, const I& got, const I& want) {
  if (!got.guards_ok()) return record(false, what, "wrote outside the output");
  for (int64_t i = 0; i < got.n; ++i)
    if (got.p[i] != want.p[i])
      return record(false, what, fmt("[%lld] got %d want %d (n = %lld)", (long long)i, got.p[i], want.p[i], (long long)got.n));
  record(true, what);
}

}  // namespace chk

int main(int argc, char** argv) {
  // No cached device blocks: every scratch buffer is fresh, poisoned memory.
  setenv("NEUREC_CUDA_CACHE_MB", "0", 1);
  struct Family {
    const char* name;
    void (*run)();
  } families[] = {
      {"emu", chk::check_emu},
      {"elementwise", chk::check_elementwise}, {"shape", chk::check_shape},   {"init", chk::check_init},
      {"dropout", chk::check_dropout},         {"optim", chk::check_optim},   {"losses", chk::check_losses},
      {"gather", chk::check_gather},           {"topk", chk::check_topk},     {"linear", chk::check_linear},
      {"batchnorm", chk::check_batchnorm},     {"tower", chk::check_tower},   {"linear_tf32", chk::check_linear_tf32},
  };
  int total_checks = 0, total_fails = 0;
  for (const Family& f : families) {
    bool want = argc < 2 && std::string(f.name) != "linear_tf32";  // needs its own process
    for (int i = 1; i < argc; ++i) want |= std::string(argv[i]) == f.name;
    if (!want) continue;
    const int c0 = chk::g_checks, f0 = chk::g_fails;
    const auto t0 = std::chrono::steady_clock::now();
    chk::run(std::string(f.name) + " (uncaught)", f.run);
    if (emu::device_bytes_live() != 0)
      chk::record(false, std::string(f.name) + ": device memory", chk::fmt("%zu bytes still allocated", emu::device_bytes_live()));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    printf("%-12s %6d checks, %d failed (%.1f s)\n", f.name, chk::g_checks - c0, chk::g_fails - f0, s);
    fflush(stdout);
  }
  total_checks = chk::g_checks, total_fails = chk::g_fails;
  printf("total        %6d checks, %d failed\n", total_checks, total_fails);
  return total_fails != 0;
}
