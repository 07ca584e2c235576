// The emulator's scheduler and runtime API (include/cuda_runtime.h). A block's threads are
// fibers on the calling OS thread: each runs until it waits at a barrier or a warp
// collective, then the scheduler runs the next. When no thread can run, the waiting group is
// checked (same collective, same source line, whole warp for a shuffle) and released; when
// none can be released the kernel has deadlocked, which is reported with where each thread
// waits. EMU_ORDER picks the order threads resume in: forward, reverse, shuffle (fixed seed),
// or by default mixed (the three in turn, phase by phase), so code that relies on an
// unsynchronised order between threads gets a wrong answer in some phase.
#include <cuda_runtime.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace emu {

Thread* g_cur = nullptr;
uint3 g_block_idx;
dim3 g_block_dim, g_grid_dim;

namespace {

enum State { kReady, kAtBlockBarrier, kAtWarpBarrier, kDone };
enum Op { kOpSyncthreads, kOpSyncwarp, kOpExchange };
constexpr size_t kStackBytes = 256 << 10;
constexpr size_t kSharedLimit = 48 << 10;  // static + dynamic, without the opt-in attribute

// ---- fibers: a stack each and a context switch ----
void fiber_main();
struct Fiber;
void unpoison_stack(Fiber& f, size_t bytes);

#if defined(__x86_64__)
// Saves the callee-saved registers on the current stack, stores its pointer in *from, and
// resumes the stack at to (a switch is a few instructions; swapcontext makes a syscall).
extern "C" void emu_switch(void** from, void* to);
asm(R"(
.text
.globl emu_switch
.type emu_switch, @function
emu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
.size emu_switch, .-emu_switch
)");
struct Fiber {
  void* sp = nullptr;
  char* stack = nullptr;
};
void* g_sched_sp;
void to_fiber(Fiber& f) { emu_switch(&g_sched_sp, f.sp); }
void to_scheduler(Fiber& f) { emu_switch(&f.sp, g_sched_sp); }
// A fresh start at fiber_main: six zero registers, then fiber_main as the return address
// (and a zero return address for it, so its stack is aligned as if called).
void prepare(Fiber& f, size_t bytes) {
  unpoison_stack(f, bytes);
  void** top = reinterpret_cast<void**>(f.stack + bytes);
  *--top = nullptr;
  *--top = reinterpret_cast<void*>(fiber_main);
  for (int i = 0; i < 6; ++i) *--top = nullptr;
  f.sp = top;
}
#else
struct Fiber {
  ucontext_t ctx;
  char* stack = nullptr;
};
ucontext_t g_sched;
void to_fiber(Fiber& f) { swapcontext(&g_sched, &f.ctx); }
void to_scheduler(Fiber& f) { swapcontext(&f.ctx, &g_sched); }
void prepare(Fiber& f, size_t bytes) {
  unpoison_stack(f, bytes);
  getcontext(&f.ctx);
  f.ctx.uc_stack.ss_sp = f.stack;
  f.ctx.uc_stack.ss_size = bytes;
  f.ctx.uc_link = nullptr;
  makecontext(&f.ctx, fiber_main, 0);
}
#endif

// The launch being run and the block being run.
struct Run {
  std::string kernel = "?";
  const std::function<void()>* body = nullptr;
  std::vector<Thread> th;
  std::vector<unsigned> seq;       // per thread: exchanges done (picks the exchange buffer)
  std::vector<uint64_t> xbuf;      // per warp: 2 x 32 exchange slots
  std::vector<void*> shared_seen;  // __shared__ arrays met in this block
  size_t shared_bytes = 0, dyn = 0;
  char* dyn_mem = nullptr;
  int reduce_result = 0;
  std::string error;  // set by a thread that found a fault; the scheduler throws it
} R;

// EMU_ASAN: frames of a fiber abandoned after a fault leave poisoned shadow on its stack.
void unpoison_stack(Fiber& f, size_t bytes) {
#if defined(__SANITIZE_ADDRESS__)
  ASAN_UNPOISON_MEMORY_REGION(f.stack, bytes);
#else
  (void)f, (void)bytes;
#endif
}
std::vector<std::unique_ptr<Fiber>> g_fibers;  // stable addresses: a ucontext points into itself
std::mt19937 g_order_rng(12345);
int g_order_mode = -1;  // 0 forward, 1 reverse, 2 shuffle, 3 mixed (EMU_ORDER)
cudaError_t g_last_error = cudaSuccess;
std::map<void*, size_t> g_allocs;
std::map<std::string, std::pair<long, long>> g_stats;  // kernel -> launches, blocks (EMU_STATS=1)

void print_stats() {
  fprintf(stderr, "emu: launches and blocks per kernel\n");
  for (auto& kv : g_stats) fprintf(stderr, "  %8ld %10ld  %s\n", kv.second.first, kv.second.second, kv.first.c_str());
}

std::string where(const Thread& t) {
  char b[160];
  snprintf(b, sizeof b, "block (%u,%u,%u) thread (%u,%u,%u)", g_block_idx.x, g_block_idx.y, g_block_idx.z, t.idx.x,
           t.idx.y, t.idx.z);
  return b;
}
std::string site(const Thread& t) { return std::string(t.file ? t.file : "?") + ":" + std::to_string(t.line); }

// Called on a fiber: records the fault and never returns to the kernel.
[[noreturn]] void fiber_fail(const std::string& msg) {
  if (R.error.empty()) R.error = R.kernel + ": " + where(*g_cur) + ": " + msg;
  g_cur->state = kDone;
  to_scheduler(*g_fibers[g_cur->warp * 32 + g_cur->lane]);
  abort();  // never resumed
}

void fiber_main() {
  (*R.body)();
  g_cur->state = kDone;
  to_scheduler(*g_fibers[g_cur->warp * 32 + g_cur->lane]);
  abort();  // never resumed
}

// Parks the running thread at a collective until the scheduler releases it.
void wait(State s, int op, unsigned mask, const char* file, int line) {
  Thread& t = *g_cur;
  t.state = s, t.op = op, t.mask = mask, t.file = file, t.line = line;
  to_scheduler(*g_fibers[t.warp * 32 + t.lane]);
  g_cur = &t;
}

void on_timeout(int) {
  static const char msg[] = "emu: a kernel ran past EMU_TIMEOUT seconds (an endless loop?)\n";
  ssize_t r = write(2, msg, sizeof msg - 1);
  (void)r;
  _exit(124);
}

void start_fiber(unsigned i) {
  while (g_fibers.size() <= i) g_fibers.push_back(std::make_unique<Fiber>());
  Fiber& f = *g_fibers[i];
  if (!f.stack) {  // a guard page below each stack turns an overflow into a crash
    void* m = mmap(nullptr, kStackBytes + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) throw std::runtime_error("emu: cannot map a fiber stack");
    mprotect(m, 4096, PROT_NONE);
    f.stack = static_cast<char*>(m) + 4096;
  }
  prepare(f, kStackBytes);
}

// Where the threads of a stuck block wait (a few of each kind).
std::string deadlock() {
  std::string msg = R.kernel + ": deadlock (divergent barriers?):";
  int n[2] = {0, 0};
  for (const Thread& u : R.th) {
    const bool blk = u.state == kAtBlockBarrier;
    if (u.state == kDone || n[blk]++ >= 3) continue;
    msg += " " + where(u) + (blk ? " waits at __syncthreads " : " waits at a warp collective ") + site(u) + ";";
  }
  return msg;
}

// Releases one waiting group if one is complete; false when none is (a deadlock).
bool release() {
  const unsigned nt = static_cast<unsigned>(R.th.size());
  for (unsigned w0 = 0; w0 < nt; w0 += 32) {  // warp collectives first
    const unsigned w1 = std::min(nt, w0 + 32);
    unsigned waiting = 0, live = 0, first = 0;
    for (unsigned i = w0; i < w1; ++i) {
      if (R.th[i].state == kDone) continue;
      if (R.th[i].state == kAtWarpBarrier && waiting++ == 0) first = i;
      ++live;
    }
    if (waiting == 0 || waiting != live) continue;
    const Thread& a = R.th[first];
    for (unsigned i = w0; i < w1; ++i) {
      const Thread& b = R.th[i];
      if (b.state == kDone) continue;
      if (b.op != a.op || b.line != a.line || std::strcmp(b.file, a.file) != 0)
        throw std::runtime_error(R.kernel + ": lanes of one warp wait at different collectives: " + where(a) + " at " +
                                 site(a) + ", " + where(b) + " at " + site(b));
      if (b.mask != 0xffffffffu)
        throw std::runtime_error(R.kernel + ": partial warp masks are not emulated (" + site(b) + ")");
    }
    if (a.op == kOpExchange && live != 32)
      throw std::runtime_error(R.kernel + ": a warp shuffle or vote at " + site(a) + " with " + std::to_string(live) +
                               " of 32 lanes (the others exited or do not exist)");
    for (unsigned i = w0; i < w1; ++i)
      if (R.th[i].state != kDone) R.th[i].state = kReady;
    return true;
  }
  // __syncthreads: every live thread must be there, at one source line.
  const Thread* a = nullptr;
  int count = 0, all = 1, any = 0;
  for (const Thread& t : R.th) {
    if (t.state == kDone) continue;
    if (t.state != kAtBlockBarrier) throw std::runtime_error(deadlock());
    if (a && (t.line != a->line || std::strcmp(t.file, a->file) != 0))
      throw std::runtime_error(R.kernel + ": threads wait at different __syncthreads: " + where(*a) + " at " + site(*a) +
                               ", " + where(t) + " at " + site(t));
    a = &t;
    count += static_cast<int>(t.value);
    all &= t.value != 0;
    any |= t.value != 0;
  }
  if (!a) return false;
  R.reduce_result = a->op == 0 ? count : a->op == 1 ? all : any;
  for (Thread& t : R.th)
    if (t.state != kDone) t.state = kReady;
  return true;
}

void run_block(unsigned nt) {
  const dim3 bd = g_block_dim;
  for (unsigned i = 0; i < nt; ++i) {
    Thread& t = R.th[i];
    t = Thread{};
    t.idx = uint3{i % bd.x, (i / bd.x) % bd.y, i / (bd.x * bd.y)};
    t.lane = i % 32, t.warp = i / 32, t.state = kReady;
    R.seq[i] = 0;
    start_fiber(i);
  }
  R.shared_seen.clear();
  R.shared_bytes = 0;
  if (R.dyn) std::memset(R.dyn_mem, 0xFF, R.dyn);
  std::vector<unsigned> order(nt);
  unsigned done = 0, phase = 0;
  for (;;) {
    const int mode = g_order_mode == 3 ? static_cast<int>(phase++ % 3) : g_order_mode;
    for (unsigned i = 0; i < nt; ++i) order[i] = mode == 1 ? nt - 1 - i : i;
    if (mode == 2) std::shuffle(order.begin(), order.end(), g_order_rng);
    for (unsigned i : order) {
      Thread& t = R.th[i];
      if (t.state != kReady) continue;
      g_cur = &t;
      to_fiber(*g_fibers[i]);
      if (!R.error.empty()) throw std::runtime_error(R.error);
      if (t.state == kDone) ++done;
    }
    if (done == nt) break;
    if (!release()) throw std::runtime_error(R.kernel + ": no thread can run (emulator bug)");
  }
  if (R.shared_bytes + R.dyn > kSharedLimit)
    throw std::runtime_error(R.kernel + ": " + std::to_string(R.shared_bytes) + " B of static and " +
                             std::to_string(R.dyn) + " B of dynamic shared memory exceed 48 KB");
  g_cur = nullptr;
}

}  // namespace

void launch(const char* at, dim3 grid, dim3 block, size_t dyn_smem, const std::function<void()>& body) {
  if (g_order_mode < 0) {
    const char* e = std::getenv("EMU_ORDER");  // forward, reverse, shuffle, mixed (default)
    std::string m = e ? e : "mixed";
    g_order_mode = m == "forward" ? 0 : m == "reverse" ? 1 : m == "shuffle" ? 2 : 3;
    signal(SIGALRM, on_timeout);
    if (std::getenv("EMU_STATS")) atexit(print_stats);
  }
  const uint64_t nt = static_cast<uint64_t>(block.x) * block.y * block.z;
  const bool ok = nt >= 1 && nt <= 1024 && block.x <= 1024 && block.y <= 1024 && block.z <= 64 && grid.x >= 1 &&
                  grid.y >= 1 && grid.z >= 1 && grid.x <= 0x7fffffffu && grid.y <= 65535 && grid.z <= 65535 &&
                  dyn_smem <= kSharedLimit;
  if (!ok) {
    fprintf(stderr, "emu: invalid launch at %s: grid (%u,%u,%u) block (%u,%u,%u) dynamic smem %zu\n", at, grid.x,
            grid.y, grid.z, block.x, block.y, block.z, dyn_smem);
    g_last_error = cudaErrorInvalidConfiguration;
    return;
  }
  R.kernel = std::string("kernel launched at ") + at;
  R.body = &body;
  R.error.clear();
  R.th.assign(nt, Thread{});
  R.seq.assign(nt, 0);
  R.xbuf.assign((nt + 31) / 32 * 64, 0);
  R.dyn = dyn_smem;
  std::vector<char> dyn_store(dyn_smem + 128);
  R.dyn_mem = dyn_store.data() + (128 - reinterpret_cast<uintptr_t>(dyn_store.data()) % 128);
  g_grid_dim = grid;
  g_block_dim = block;
  const char* to = std::getenv("EMU_TIMEOUT");
  alarm(to ? static_cast<unsigned>(std::atoi(to)) : 300);
  struct Disarm {
    ~Disarm() { alarm(0); }
  } disarm;
  for (unsigned z = 0; z < grid.z; ++z)
    for (unsigned y = 0; y < grid.y; ++y)
      for (unsigned x = 0; x < grid.x; ++x) {
        g_block_idx = uint3{x, y, z};
        run_block(static_cast<unsigned>(nt));
      }
  auto& st = g_stats[R.kernel];
  st.first += 1;
  st.second += static_cast<long>(grid.x) * grid.y * grid.z;
}

void kernel_entry(const char* name, int max_threads) {
  if (R.kernel.rfind("kernel launched at", 0) == 0) R.kernel = name;
  const int nt = static_cast<int>(g_block_dim.x * g_block_dim.y * g_block_dim.z);
  if (nt > max_threads)
    fiber_fail("launched with " + std::to_string(nt) + " threads per block, over its __launch_bounds__ of " +
               std::to_string(max_threads));
}

void shared_decl(void* p, size_t bytes) {
  if (std::find(R.shared_seen.begin(), R.shared_seen.end(), p) != R.shared_seen.end()) return;
  R.shared_seen.push_back(p);
  R.shared_bytes += bytes;
  std::memset(p, 0xFF, bytes);
}

void* dynamic_smem() { return R.dyn_mem; }

void syncthreads(const char* file, int line) {
  g_cur->value = 0;
  wait(kAtBlockBarrier, kOpSyncthreads, 0xffffffffu, file, line);
}

int syncthreads_reduce(int pred, int op, const char* file, int line) {
  g_cur->value = static_cast<uint64_t>(pred);
  wait(kAtBlockBarrier, op, 0xffffffffu, file, line);
  return R.reduce_result;  // read before any thread can reach the next barrier's release
}

void syncwarp(const char* file, int line, unsigned mask) { wait(kAtWarpBarrier, kOpSyncwarp, mask, file, line); }

// Two slot sets per warp used in turn: a lane can publish into a set again only after every
// lane has arrived at the exchange in between, i.e. after all have read this one.
uint64_t warp_exchange(uint64_t v, int src, unsigned mask, const char* file, int line) {
  Thread& t = *g_cur;
  unsigned& sq = R.seq[t.warp * 32 + t.lane];
  uint64_t* slots = &R.xbuf[t.warp * 64 + (sq & 1) * 32];
  slots[t.lane] = v;
  wait(kAtWarpBarrier, kOpExchange, mask, file, line);
  ++sq;
  return src < 0 ? v : slots[src];
}

unsigned ballot(const char* file, int line, unsigned mask, bool pred) {
  Thread& t = *g_cur;
  const uint64_t* slots = &R.xbuf[t.warp * 64 + (R.seq[t.warp * 32 + t.lane] & 1) * 32];
  warp_exchange(pred, -1, mask, file, line);
  unsigned r = 0;
  for (int l = 0; l < 32; ++l) r |= static_cast<unsigned>(slots[l] != 0) << l;
  return r;
}

size_t device_bytes_live() {
  size_t s = 0;
  for (auto& kv : g_allocs) s += kv.second;
  return s;
}

}  // namespace emu

// ---- runtime API ----
const char* cudaGetErrorName(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
  }
  return "cudaErrorUnknown";
}
const char* cudaGetErrorString(cudaError_t e) { return cudaGetErrorName(e); }
cudaError_t cudaGetLastError() {
  cudaError_t e = emu::g_last_error;
  emu::g_last_error = cudaSuccess;
  return e;
}
cudaError_t cudaPeekAtLastError() { return emu::g_last_error; }

cudaError_t cudaMalloc(void** p, size_t bytes) {
  const size_t b = (bytes + 255) / 256 * 256;
  *p = std::aligned_alloc(256, b ? b : 256);
  if (!*p) return cudaErrorMemoryAllocation;
  std::memset(*p, 0xFF, b);  // uninitialised device memory reads as NaN
  emu::g_allocs[*p] = b;
  return cudaSuccess;
}
cudaError_t cudaFree(void* p) {
  if (!p) return cudaSuccess;
  auto it = emu::g_allocs.find(p);
  if (it == emu::g_allocs.end()) return cudaErrorInvalidValue;
  emu::g_allocs.erase(it);
  std::free(p);
  return cudaSuccess;
}
cudaError_t cudaMemGetInfo(size_t* free_b, size_t* total_b) {
  *total_b = size_t{80} << 30;
  *free_b = *total_b - emu::device_bytes_live();
  return cudaSuccess;
}
cudaError_t cudaDeviceGetAttribute(int* v, cudaDeviceAttr a, int) {
  switch (a) {
    case cudaDevAttrMaxThreadsPerBlock: *v = 1024; break;
    case cudaDevAttrMaxSharedMemoryPerBlock: *v = 48 << 10; break;
    case cudaDevAttrMultiProcessorCount: *v = 132; break;
    case cudaDevAttrMaxSharedMemoryPerBlockOptin: *v = 227 << 10; break;
    default: return cudaErrorInvalidValue;
  }
  return cudaSuccess;
}
