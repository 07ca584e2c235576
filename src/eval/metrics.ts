/**
 * Ranking metrics from the rank of each held-out item (0 = first). Under the NCF protocol the
 * rank is the number of sampled negatives scoring at least as high as the held-out item (ties
 * count against it, as the peers do); under full ranking, the same over every unseen item.
 */

export interface RankingMetrics {
  [name: string]: number;
}

/** HR@k, NDCG@k and MRR@k over users with one held-out item each (rank NaN = miss). */
export function metricsFromRanks(ranks: ArrayLike<number>, ks: number[] = [10]): RankingMetrics {
  const out: RankingMetrics = {};
  const n = ranks.length;
  for (const k of ks) {
    let hit = 0, ndcg = 0, mrr = 0;
    for (let u = 0; u < n; u++) {
      const r = ranks[u];
      if (r < k) {
        hit++;
        ndcg += 1 / Math.log2(r + 2);
        mrr += 1 / (r + 1);
      }
    }
    out[`hr@${k}`] = n ? hit / n : 0;
    out[`ndcg@${k}`] = n ? ndcg / n : 0;
    out[`mrr@${k}`] = n ? mrr / n : 0;
  }
  return out;
}

/**
 * Rank of the held-out item among its candidates: the number of valid candidates scoring at
 * least as high. A NaN held-out score ranks last.
 */
export function rankAmong(pos: number, candidates: ArrayLike<number>, valid?: (j: number) => boolean): number {
  if (Number.isNaN(pos)) return Infinity;
  let r = 0;
  for (let j = 0; j < candidates.length; j++) if (candidates[j] >= pos && (!valid || valid(j))) r++;
  return r;
}

/** Recall@k for users with several held-out items: |top-k ∩ held-out| / min(k, |held-out|)... as fractions of held-out. */
export function recallAtK(topItems: ArrayLike<number>, k: number, heldOut: Set<number>): number {
  if (heldOut.size === 0) return 0;
  let hits = 0;
  for (let j = 0; j < k && j < topItems.length; j++) if (heldOut.has(topItems[j])) hits++;
  return hits / Math.min(k, heldOut.size);
}
