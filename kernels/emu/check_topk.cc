// topk.cu against native/cpu/topk.cc, bit for bit: values (NaN, -0 kept) and indices, with
// ties (to the lower column), NaN and infinities, exclusion lists (repeats, any order, the
// on-chip and the global bitmap), rows with fewer eligible columns than k, and bad exclusion
// data reported from the device.
#include "check.h"
#include "cpu/topk.h"
#include "topk.h"

namespace chk {
namespace {

namespace cpu = neurec::cpu;
namespace cuda = neurec::cuda;

enum Scores { kRandom, kTies, kSpecial };
enum Excl { kNone, kSome, kMost };

void scores(F& s, int64_t C, Scores kind) {
  s.uniform(-1, 1);
  if (kind == kTies)
    for (int64_t i = 0; i < s.n; ++i) s[i] = static_cast<float>(rng() % 7) * 0.5f;
  if (kind == kSpecial) {
    const float sp[] = {NAN, -INFINITY, INFINITY, -0.f, 0.f, 1.f};
    for (int64_t i = 0; i < s.n; ++i)
      if (rng() % 3 == 0) s[i] = sp[rng() % 6];
    if (s.n >= 2 * C)  // row 1: all NaN
      for (int64_t j = 0; j < C; ++j) s[C + j] = NAN;
  }
}

// A CSR exclusion set: per row a few columns (kSome, repeats and any order) or all but a few
// (kMost, so fewer than k may be eligible).
void exclusions(std::vector<int32_t>& ptr, std::vector<int32_t>& idx, int64_t N, int64_t C, Excl kind) {
  idx.assign(rng() % 3, static_cast<int32_t>(C + 7));  // entries before row 0's: never read
  ptr.assign(1, static_cast<int32_t>(idx.size()));
  for (int64_t r = 0; r < N; ++r) {
    if (kind == kSome)
      for (int64_t q = rng() % 6; q > 0; --q) idx.push_back(static_cast<int32_t>(rng() % C));
    if (kind == kSome && r == 0 && C > 3) idx.push_back(1), idx.push_back(1);
    if (kind == kMost)
      for (int64_t j = C - 1; j >= 0; --j)
        if (j % 37 != 3) idx.push_back(static_cast<int32_t>(j));
    ptr.push_back(static_cast<int32_t>(idx.size()));
  }
}

void topk(int64_t N, int64_t C, int64_t k, Scores sk, Excl ek, int off) {
  F s(N * C, off), v(N * k, off), rv(N * k);
  I ix(N * k), rix(N * k);
  scores(s, C, sk);
  std::vector<int32_t> ptr, idx;
  exclusions(ptr, idx, N, C, ek);
  I p(static_cast<int64_t>(ptr.size())), q(std::max<int64_t>(1, static_cast<int64_t>(idx.size())));
  std::copy(ptr.begin(), ptr.end(), p.p);
  std::copy(idx.begin(), idx.end(), q.p);
  const int32_t* pp = ek == kNone ? nullptr : p.p;
  const int32_t* qq = ek == kNone ? nullptr : q.p;
  const int64_t nnz = static_cast<int64_t>(idx.size());
  const std::string what = fmt("topk_fwd N=%lld C=%lld k=%lld scores=%d excl=%d off=%d", (long long)N, (long long)C,
                               (long long)k, sk, ek, off);
  run(what, [&] {
    cpu::topk_fwd(rv.p, rix.p, s.p, pp, qq, N, C, k, nnz);
    cuda::topk_fwd(v.p, ix.p, s.p, pp, qq, N, C, k, nnz);
    neurec::cuda::throw_if_device_error();
    same(what + " values", v, rv);
    same(what + " indices", ix, rix);
  });
}

void bad_exclusions() {
  F s(3 * 10), v(3 * 2);
  I ix(3 * 2), p(4), q(4);
  s.uniform(-1, 1);
  const int32_t ptrs[][4] = {{0, 1, 2, 4}, {0, 2, 1, 4}, {0, 1, 2, 5}};  // fine, decreasing, past nnz
  const int32_t idxs[][4] = {{1, 10, 3, 4}, {1, 2, 3, 4}, {1, 2, 3, 4}};  // column 10 of 10 columns
  for (int t = 0; t < 3; ++t) {
    std::copy(ptrs[t], ptrs[t] + 4, p.p);
    std::copy(idxs[t], idxs[t] + 4, q.p);
    expect_throw<std::out_of_range>(fmt("topk_fwd bad exclusion %d reported", t),
                                    [&] { cuda::topk_fwd(v.p, ix.p, s.p, p.p, q.p, 3, 10, 2, 4); });
  }
  // k = 0 computes nothing, but the CPU still checks the exclusion lists
  expect_throw<std::out_of_range>("topk_fwd k = 0 still checks exclusions",
                                  [&] { cuda::topk_fwd(v.p, ix.p, s.p, p.p, q.p, 3, 10, 0, 4); });
  expect_throw<std::invalid_argument>("topk_fwd k > C rejected",
                                      [&] { cuda::topk_fwd(v.p, ix.p, s.p, nullptr, nullptr, 3, 10, 11, 0); });
  F big(2000), bv(1025);
  I bi(1025);
  expect_throw<std::invalid_argument>("topk_fwd k > 1024 rejected",
                                      [&] { cuda::topk_fwd(bv.p, bi.p, big.p, nullptr, nullptr, 1, 2000, 1025, 0); });
}

}  // namespace

void check_topk() {
  const int64_t shapes[][2] = {{1, 1}, {3, 5}, {4, 64}, {3, 100}, {2, 1000}, {2, 4096}, {1, 20000}, {2, 20001}};
  for (auto& sh : shapes)
    for (int64_t k : {1, 2, 5, 64, 100, 300})
      for (int off = 0; off < 2; ++off) {
        const int64_t N = sh[0], C = sh[1];
        if (k > C) continue;
        const bool big = C >= 4096;  // fewer combinations on long rows: the emulator is slow
        for (Scores sk : {kRandom, kTies, kSpecial})
          for (Excl ek : {kNone, kSome, kMost})
            if (!big || (int(sk) + int(ek) + off + k) % 3 == 0) topk(N, C, k, sk, ek, off);
      }
  for (int t = 0; t < 150; ++t) {  // random configurations
    const int64_t C = 1 + rng() % (t % 10 == 0 ? 6000 : 300), k = 1 + rng() % std::min<int64_t>(C, 150);
    topk(1 + rng() % 6, C, k, static_cast<Scores>(rng() % 3), static_cast<Excl>(rng() % 3), static_cast<int>(rng() % 2));
  }
  topk(5, 1024, 1024, kSpecial, kSome, 0);  // k at its limit
  topk(3, 33, 33, kTies, kMost, 1);         // k == C
  topk(3, 50, 0, kRandom, kSome, 0);         // k == 0: nothing to write, good exclusions
  topk(3, 50, 0, kRandom, kNone, 1);
  topk(2, 300000, 10, kRandom, kSome, 0);   // a bitmap too large for shared memory
  // More rows than the 528 blocks (4 per SM): blocks take several rows, re-marking exclusions.
  topk(1100, 40, 5, kTies, kSome, 0);
  topk(1100, 37, 3, kSpecial, kMost, 1);
  bad_exclusions();
}

}  // namespace chk
