/**
 * `neurec recommend --checkpoint <dir> --user <raw id> [--k 10] [--rerank]`: the top-k items the
 * user has not interacted with, with titles, genres and scores. --rerank (seed 000) takes a
 * five times longer candidate list and re-ranks it by the user's own genre affinity.
 */
import { openCheckpoint } from './checkpointed';
import { num, parseArgs, usage, type ArgSpec } from './args';
import { genreAffinity, rerankByGenre } from '../eval/rerank';
import { RecommenderService } from '../serve/recommender_service';

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
  const { model, data, train } = openCheckpoint(String(a.checkpoint), a['data-dir'] as string | undefined, log);
  const service = new RecommenderService(model, data, train);
  const user = String(a.user);
  let rows;
  try {
    rows = service.recommend(user, a.rerank ? 5 * k : k);
    if (a.rerank) {
      const meta = data.itemMeta;
      if (!meta) throw new Error(`--rerank needs item genres, and ${data.name} has none`);
      const affinity = genreAffinity(service.seenItems(user), meta.genres);
      const cands = rows.map((r) => ({ ...r, item: r.index, raw: r.item }));
      rows = rerankByGenre(cands, meta.genres, affinity, num(a, 'rerank-weight', 'recommend'))
        .slice(0, k)
        .map((r, j) => ({ ...r, rank: j + 1, item: r.raw }));
    }
  } finally {
    model.dispose();
  }
  log(`top ${rows.length} for user ${user} of ${data.name} (${service.seenCount(user)} items seen and excluded)${a.rerank ? ', re-ranked by genre affinity' : ''}:`);
  for (const r of rows) log(`${String(r.rank).padStart(3)}. ${r.title || 'item ' + r.item}  [${r.genres.join('|')}]  score ${r.score}`);
  if (a.json) console.log(JSON.stringify({ user, dataset: data.name, rerank: !!a.rerank, items: rows.map(({ rank, item, title, genres, score }) => ({ rank, item, title, genres, score })) }));
}
