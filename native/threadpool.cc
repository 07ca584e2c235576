#include "threadpool.h"

#include <algorithm>
#include <chrono>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace neurec {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Workers spin briefly on a generation counter before sleeping: kernels are short (tens of
// microseconds), so waking through a condition variable alone would cost more than the work.
class Pool {
 public:
  explicit Pool(int n) : nthreads_(std::max(1, n)) {
    for (int t = 1; t < nthreads_; ++t) workers_.emplace_back([this, t] { loop(t); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      generation_.fetch_add(1);
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }
  int size() const { return nthreads_; }

  void run(int nthreads, const std::function<void(int, int)>& fn) {
    nthreads = std::min(nthreads, nthreads_);
    if (nthreads <= 1) { fn(0, 1); return; }
    std::lock_guard<std::mutex> run_lock(run_mu_);  // one parallel region at a time
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = &fn;
      job_threads_ = nthreads;
      pending_.store(nthreads - 1);
      generation_.fetch_add(1);
    }
    cv_.notify_all();
    fn(0, nthreads);
    while (pending_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
  }

 private:
  void loop(int t) {
    uint64_t seen = 0;
    for (;;) {
      // Spin for up to ~2 ms before sleeping: between the kernels of a training step the gap is
      // tens of microseconds, and a futex wake-up costs about as much here as a small kernel.
      auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(2000);
      // Yielding now and then keeps the spin polite when other processes want the core.
      for (int spins = 0; generation_.load(std::memory_order_acquire) == seen; ++spins) {
        cpu_relax();
        if ((spins & 63) == 63) std::this_thread::yield();
        if ((spins & 1023) == 1023 && std::chrono::steady_clock::now() > until) break;
      }
      if (generation_.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return generation_.load() != seen; });
      }
      const std::function<void(int, int)>* job;
      int job_threads;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_) return;
        seen = generation_.load();
        job = job_;
        job_threads = job_threads_;
      }
      if (t < job_threads) {
        (*job)(t, job_threads);
        pending_.fetch_sub(1, std::memory_order_release);
      }
    }
  }

  int nthreads_;
  std::vector<std::thread> workers_;
  std::mutex mu_, run_mu_;
  std::condition_variable cv_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  const std::function<void(int, int)>* job_ = nullptr;
  int job_threads_ = 0;
  bool stop_ = false;
};

int default_threads() {
  if (const char* env = std::getenv("NEUREC_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(std::min(hc, 64u));
}

Pool& pool() {
  static Pool p(default_threads());
  return p;
}
int active_threads = -1;

}  // namespace

int num_threads() {
  if (active_threads < 0) active_threads = pool().size();
  return active_threads;
}
void set_num_threads(int n) { active_threads = std::max(1, std::min(n, pool().size())); }

void parallel_threads(int nthreads, const std::function<void(int, int)>& fn) {
  pool().run(std::min(nthreads, num_threads()), fn);
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  int64_t nt = std::min<int64_t>(num_threads(), std::max<int64_t>(1, n / std::max<int64_t>(1, grain)));
  if (nt <= 1) { fn(0, n); return; }
  pool().run(static_cast<int>(nt), [&](int t, int T) {
    int64_t chunk = (n + T - 1) / T;
    int64_t b = t * chunk, e = std::min(n, b + chunk);
    if (b < e) fn(b, e);
  });
}

}  // namespace neurec
