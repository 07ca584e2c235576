/**
 * `neurec recommend --checkpoint <dir> --user <raw id> [--k 10] [--rerank]`: the top-k items the
 * user has not interacted with, with titles, genres and scores. --rerank (seed 000) takes a
 * longer candidate list and re-ranks it by the user's own genre affinity.
 */
import { noGrad } from '../autograd';
import { tidy } from '../scope';
import { topk } from '../ops/topk';
import { Tensor } from '../tensor';
import { indexByUser } from '../data/csr';
import { openCheckpoint } from './checkpointed';
import { num, parseArgs, usage, type ArgSpec } from './args';
import { genreAffinity, rerankByGenre } from '../eval/rerank';

const SPEC: ArgSpec = {
  checkpoint: { help: 'checkpoint folder written by neurec train' },
  user: { help: 'raw user id as in the data files' },
  k: { help: 'how many items', default: '10' },
  rerank: { help: "re-rank 5k candidates by the user's genre affinity", flag: true },
  'rerank-weight': { help: 'weight of genre affinity in re-ranking', default: '0.3' },
  'data-dir': { help: 'folder holding the data sets (else NEUREC_DATA_DIR)' },
  json: { help: 'print one JSON object as the last line', flag: true },
  help: { help: 'this text', flag: true },
};

export function recommendCommand(argv: string[]): void {
  const a = parseArgs(argv, SPEC, 'recommend');
  if (a.help) return void console.log(usage('recommend', SPEC));
  if (!a.checkpoint) throw new Error('recommend: --checkpoint <dir> is required');
  if (a.user === undefined) throw new Error('recommend: --user <raw id> is required');
  const k = num(a, 'k', 'recommend');
  const log = (s: string) => console.log(s);
  const { model, data, evalSet } = openCheckpoint(String(a.checkpoint), a['data-dir'] as string | undefined, log);
  const u = data.userIds.dense(String(a.user));
  if (u < 0) {
    const ids = data.userIds.toArray();
    throw new Error(`recommend: unknown user id ${a.user} in ${data.name} (${ids.length} users, ids ${ids[0]}..${ids[ids.length - 1]})`);
  }
  // Everything the user interacted with in the model's training data is excluded.
  const seen = indexByUser(evalSet.train.users, evalSet.train.items, data.nUsers, data.nItems);
  const seenItems = seen.items.subarray(seen.offsets[u], seen.offsets[u + 1]);
  const pool = a.rerank ? Math.min(data.nItems, 5 * k) : k;
  const { items, scores } = noGrad(() =>
    tidy(() => {
      const s = model.scoreAll(Int32Array.of(u));
      const top = topk(s, Math.min(pool, data.nItems), {
        exclude: { ptr: Tensor.fromArray([0, seenItems.length], [2], 'int32'), idx: Tensor.fromArray(seenItems, [seenItems.length], 'int32') },
      });
      return { items: Array.from(top.indices.toArray()).filter((i) => i >= 0), scores: Array.from(top.values.toArray()) };
    }),
  );
  let ranked = items.map((item, j) => ({ item, score: scores[j] }));
  const meta = data.itemMeta;
  if (a.rerank) {
    if (!meta) throw new Error(`recommend: --rerank needs item genres, and ${data.name} has none`);
    const affinity = genreAffinity(seenItems, meta.genres);
    ranked = rerankByGenre(ranked, meta.genres, affinity, num(a, 'rerank-weight', 'recommend')).slice(0, k);
  }
  model.dispose();
  const rows = ranked.map((r, j) => ({
    rank: j + 1, item: String(data.itemIds.raw(r.item)), title: meta?.title[r.item] ?? '', genres: meta?.genres[r.item] ?? [], score: +r.score.toFixed(4),
  }));
  log(`top ${rows.length} for user ${a.user} of ${data.name} (${seenItems.length} items seen and excluded)${a.rerank ? ', re-ranked by genre affinity' : ''}:`);
  for (const r of rows) log(`${String(r.rank).padStart(3)}. ${r.title || 'item ' + r.item}  [${r.genres.join('|')}]  score ${r.score}`);
  if (a.json) console.log(JSON.stringify({ user: String(a.user), dataset: data.name, rerank: !!a.rerank, items: rows }));
}
