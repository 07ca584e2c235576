// A tiny fixed thread pool: parallel_for(n, grain, fn) is the only threading in the addon.
#pragma once
#include <cstdint>
#include <functional>

namespace neurec {

// Runs fn(begin, end) over [0, n) in contiguous chunks on the pool (the caller takes the
// first chunk). Work below `grain` items, or with one thread, runs inline.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Runs fn(t, nthreads) once on each of nthreads workers (t = 0 is the caller).
void parallel_threads(int nthreads, const std::function<void(int, int)>& fn);

int num_threads();
void set_num_threads(int n);

}  // namespace neurec
