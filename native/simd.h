// Vector helpers. Kernels compile portable code for the baseline x86-64 and an x86-64-v3
// (AVX2+FMA; "arch=haswell" would be picked only on Intel Haswell-family CPUs)
// clone chosen at load time (GCC target_clones), so one binary runs everywhere and uses
// the wider units where the CPU has them.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define NR_VECTORIZE __attribute__((target_clones("arch=x86-64-v3", "default")))
#define NR_HAVE_X86 1
#else
#define NR_VECTORIZE
#define NR_HAVE_X86 0
#endif

namespace neurec {

// True when the CPU runs AVX2 and FMA (the hand-written GEMM micro-kernel needs both).
inline bool cpu_has_avx2_fma() {
#if NR_HAVE_X86
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
#else
  return false;
#endif
}

}  // namespace neurec
