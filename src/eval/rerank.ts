/**
 * Seed 000's re-ranking: a longer candidate list from the model is re-ordered by how much the
 * user likes each candidate's genres (the share of the user's own items carrying the genre).
 */

/** Share of the user's items that carry each genre. */
export function genreAffinity(userItems: ArrayLike<number>, genres: string[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let k = 0; k < userItems.length; k++) for (const g of genres[userItems[k]] ?? []) counts.set(g, (counts.get(g) ?? 0) + 1);
  const n = Math.max(1, userItems.length);
  for (const [g, c] of counts) counts.set(g, c / n);
  return counts;
}

/**
 * New score = (1 - w)·(model score rescaled to [0,1] over the candidates) + w·(mean affinity of
 * the item's genres). Stable: ties keep the model's order.
 */
export function rerankByGenre<T extends { item: number; score: number }>(cands: T[], genres: string[][], affinity: Map<string, number>, w: number): T[] {
  if (cands.length === 0) return cands;
  const lo = Math.min(...cands.map((c) => c.score)), hi = Math.max(...cands.map((c) => c.score));
  const span = hi - lo || 1;
  const keyed = cands.map((c, j) => {
    const gs = genres[c.item] ?? [];
    const aff = gs.length ? gs.reduce((s, g) => s + (affinity.get(g) ?? 0), 0) / gs.length : 0;
    return { c, j, key: (1 - w) * ((c.score - lo) / span) + w * aff };
  });
  keyed.sort((x, y) => y.key - x.key || x.j - y.j);
  return keyed.map((x) => x.c);
}
