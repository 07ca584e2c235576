/**
 * The fold-in table of `npm run bench:serve`: per model, what a new user's ratings do, how long
 * folding in 5 and 50 ratings takes (fold-in alone, and the whole recommendation), and how far
 * the list moves toward the one genre a new fan rated (the share of that genre in the top 20).
 * In process, on the engine's public serving API.
 */
import { loadLiveModel } from '../../src/cli/serve';
import { LiveRecommender } from '../../src/serve/recommender';
import { SqliteEventStore } from '../../src/serve/store/sqlite_store';
import { Rng } from '../../src/data/rng';

export interface FoldInRow {
  model: string;
  checkpoint: string;
  foldIn: string;
  strategy: string;
  /** Medians in ms: fold-in alone, and the whole recommendation, for 5 and 50 ratings. */
  fold5: number;
  fold50: number;
  total5: number;
  total50: number;
  genre: string;
  shareBefore: number;
  shareAfter: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function foldInRow(name: string, checkpoint: string, runs = 21, genre = 'Horror'): Promise<FoldInRow> {
  const live = await loadLiveModel(checkpoint, undefined, () => {});
  let foldSeconds = 0;
  const rec = new LiveRecommender(live, new SqliteEventStore(':memory:'), { onFoldIn: (_k, s) => (foldSeconds = s) });
  const cat = live.catalog, [lo, hi] = cat.ratingScale;
  const rng = new Rng(7);
  const popular = [...cat.counts.keys()].sort((a, b) => cat.counts[b] - cat.counts[a]).slice(0, 500);
  const timing = async (n: number) => {
    const fold: number[] = [], total: number[] = [];
    let strategy = '';
    for (let r = 0; r < runs; r++) {
      const seen = new Set<number>();
      while (seen.size < n) seen.add(popular[rng.int(popular.length)]);
      const ratings = [...seen].map((i) => ({ item: cat.itemId(i), rating: Math.round(lo + rng.next() * (hi - lo)) }));
      foldSeconds = 0;
      const t0 = performance.now();
      const out = await rec.recommendNew({ ratings }, { k: 10 });
      total.push(performance.now() - t0);
      fold.push(foldSeconds * 1000);
      strategy = out.strategy;
    }
    return { fold: median(fold), total: median(total), strategy };
  };
  const t5 = await timing(5), t50 = await timing(50);
  const inGenre = [...Array(cat.nItems).keys()].filter((i) => cat.genresOf(i).includes(genre)).sort((a, b) => cat.counts[b] - cat.counts[a]);
  const share = (items: { genres: string[] }[]) => items.filter((x) => x.genres.includes(genre)).length / Math.max(1, items.length);
  const before = await rec.recommendNew({}, { k: 20 });
  const after = await rec.recommendNew({ ratings: inGenre.slice(10, 20).map((i) => ({ item: cat.itemId(i), rating: hi })) }, { k: 20 });
  const row: FoldInRow = {
    model: name, checkpoint, foldIn: live.adapter.foldIn, strategy: t50.strategy,
    fold5: t5.fold, fold50: t50.fold, total5: t5.total, total50: t50.total,
    genre, shareBefore: share(before.items), shareAfter: share(after.items),
  };
  await rec.eventStore.close();
  live.dispose();
  return row;
}
