// tower.cu against native/cpu/tower.cc: catalogues around the CPU's 16-item block and the
// device's 8-item tile, towers of one to five widths (odd ones, the 512 limit), accumulate,
// empty batches, and the shared width checks.
#include "check.h"
#include "cpu/tower.h"
#include "tower.h"

namespace chk {
namespace {

namespace cpu = neurec::cpu;
namespace cuda = neurec::cuda;

void tower(int64_t n, int64_t I, std::vector<int64_t> widths, bool acc, int off) {
  int64_t h[5] = {0, 0, 0, 0, 0};
  for (size_t l = 0; l < widths.size(); ++l) h[l] = widths[l];
  int L = 0;
  const int64_t P = cpu::tower_param_count(h, &L);
  F user(n * h[0], off), item(h[0] * I, off), params(P, off), out(n * I, off);
  user.uniform(-1, 1), item.uniform(-1, 1), params.uniform(-0.5, 0.5), out.uniform(-1, 1);
  F ref(out, 0);
  std::string ws;
  for (int64_t w : widths) ws += (ws.empty() ? "" : "-") + std::to_string(w);
  const std::string what = fmt("tower_fwd n=%lld I=%lld widths %s acc=%d off=%d", (long long)n, (long long)I, ws.c_str(), acc, off);
  int64_t widest = 1;
  for (int64_t w : widths) widest = std::max(widest, w);
  run(what, [&] {
    cpu::tower_fwd(ref.p, user.p, item.p, params.p, n, I, h, acc);
    cuda::tower_fwd(out.p, user.p, item.p, params.p, n, I, h, acc);
    close(what, out, ref, 1e-5 * widest, 1e-4);
  });
}

void bad_widths() {
  F o(4), u(4), it(4), p(64);
  const int64_t bad[][5] = {{0, 0, 0, 0, 0}, {2, 0, 3, 0, 0}, {2, 513, 0, 0, 0}};
  for (int t = 0; t < 3; ++t)
    expect_throw<std::invalid_argument>(fmt("tower_fwd bad widths %d", t),
                                        [&] { cuda::tower_fwd(o.p, u.p, it.p, p.p, 1, 1, bad[t], false); });
}

}  // namespace

void check_tower() {
  const std::vector<std::vector<int64_t>> towers = {{1}, {3}, {4, 2}, {5, 3, 1}, {32, 16, 8}, {7, 6, 5, 4, 3}, {64, 32, 16, 8}, {512, 2}};
  const int64_t sizes[][2] = {{1, 1}, {1, 7}, {2, 8}, {3, 15}, {2, 16}, {3, 17}, {2, 33}, {5, 100}, {0, 9}, {3, 0}};
  for (const auto& w : towers)
    for (const auto& s : sizes)
      for (int acc = 0; acc < 2; ++acc) tower(s[0], s[1], w, acc, (acc + s[1]) % 2);
  tower(4, 3706, {32, 16, 8}, false, 0);
  bad_widths();
}

}  // namespace chk
