/**
 * Ranking evaluation under both protocols, always side by side:
 *  - sampled (NCF): each held-out item against its own sampled negatives;
 *  - full: against every item the user has not interacted with in training, through the
 *    engine's top-k with an exclude-seen list, users in chunks so memory stays bounded.
 */
import { Tensor } from '../tensor';
import { noGrad } from '../autograd';
import { tidy } from '../scope';
import { topk } from '../ops/topk';
import type { RankingEvalSet } from '../data/ncf_eval';
import type { UserItemIndex } from '../data/csr';
import { metricsFromRanks, type RankingMetrics } from './metrics';

/** Scores of (user, item) pairs, higher = more likely. */
export type PairScorer = (users: Int32Array, items: Int32Array) => Float32Array;
/** Scores of every item for each user: a [users.length, nItems] tensor. */
export type AllItemScorer = (users: Int32Array) => Tensor;

/** HR/NDCG/MRR@k with each held-out item ranked among its nNeg negatives (ties count against it). */
export function evaluateSampled(score: PairScorer, set: RankingEvalSet, ks: number[] = [10], chunkUsers = 1024): RankingMetrics {
  const n = set.users.length, width = set.nNeg + 1;
  const ranks = new Float64Array(n);
  for (let s = 0; s < n; s += chunkUsers) {
    const e = Math.min(n, s + chunkUsers);
    const users = new Int32Array((e - s) * width), items = new Int32Array((e - s) * width);
    for (let k = s; k < e; k++) {
      const base = (k - s) * width;
      users.fill(set.users[k], base, base + width);
      items[base] = set.items[k];
      items.set(set.negatives.subarray(k * set.nNeg, (k + 1) * set.nNeg), base + 1);
    }
    const scores = score(users, items);
    for (let k = s; k < e; k++) {
      const base = (k - s) * width, pos = scores[base];
      if (Number.isNaN(pos)) { ranks[k] = Infinity; continue; }
      let r = 0;
      for (let j = 0; j < set.nNeg; j++) if (scores[base + 1 + j] >= pos && set.negValid[k * set.nNeg + j]) r++;
      ranks[k] = r;
    }
  }
  return metricsFromRanks(ranks, ks);
}

/**
 * Full ranking: the held-out item's rank among all items the user did not interact with in
 * training (`seen`), read from the top-max(ks) list. HR@k equals Recall@k with one held-out item.
 */
export function evaluateFull(scoreAll: AllItemScorer, set: RankingEvalSet, seen: UserItemIndex, ks: number[] = [10, 20], chunkUsers = 256): RankingMetrics {
  const n = set.users.length, K = Math.max(...ks);
  const ranks = new Float64Array(n).fill(Infinity);
  noGrad(() => {
    for (let s = 0; s < n; s += chunkUsers) {
      const e = Math.min(n, s + chunkUsers);
      const users = set.users.subarray(s, e);
      tidy(() => {
        const ptr = new Int32Array(e - s + 1);
        let nnz = 0;
        for (let k = 0; k < e - s; k++) {
          const u = users[k];
          nnz += seen.offsets[u + 1] - seen.offsets[u];
          ptr[k + 1] = nnz;
        }
        const idx = new Int32Array(nnz);
        for (let k = 0; k < e - s; k++) {
          const u = users[k];
          idx.set(seen.items.subarray(seen.offsets[u], seen.offsets[u + 1]), ptr[k]);
        }
        const scores = scoreAll(users);
        const top = topk(scores, Math.min(K, scores.shape[1]), {
          exclude: { ptr: Tensor.fromArray(ptr, [ptr.length], 'int32', scores.device), idx: Tensor.fromArray(idx, [nnz], 'int32', scores.device) },
        });
        const ti = top.indices.toArray();
        const w = top.indices.shape[1];
        for (let k = 0; k < e - s; k++) {
          const target = set.items[s + k];
          for (let j = 0; j < w; j++) if (ti[k * w + j] === target) { ranks[s + k] = j; break; }
        }
      });
    }
  });
  const m = metricsFromRanks(ranks, ks);
  for (const k of ks) m[`recall@${k}`] = m[`hr@${k}`];
  return m;
}
