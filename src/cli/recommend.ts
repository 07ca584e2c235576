/**
 * `neurec recommend --checkpoint <dir> --user <raw id> [--k 10] [--rerank]`: the top-k items the
 * user has not interacted with, with titles, genres and scores. --rerank (seed 000) takes a
 * five times longer candidate list and re-ranks it by the user's own genre affinity.
 */
import { COUNT, NONNEG, num, parseArgs, usage, type ArgSpec } from './args';
import { loadLiveModel } from './serve';
import { LiveRecommender } from '../serve/recommender';
import { SqliteEventStore } from '../serve/store/sqlite_store';

const SPEC: ArgSpec = {
  checkpoint: { help: 'checkpoint folder written by neurec train' },
  user: { help: 'raw user id as in the data files' },
  k: { help: 'how many items', default: '10', num: COUNT },
  rerank: { help: "re-rank 5k candidates by the user's genre affinity", flag: true },
  'rerank-weight': { help: 'weight of genre affinity in re-ranking', default: '0.3', num: NONNEG },
  events: { help: 'an event store (SQLite file) whose events and profile for the user count too' },
  'data-dir': { help: 'folder holding the data sets (else NEUREC_DATA_DIR)' },
  json: { help: 'print one JSON object as the last line', flag: true },
  help: { help: 'this text', flag: true },
};

export async function recommendCommand(argv: string[]): Promise<void> {
  const a = parseArgs(argv, SPEC, 'recommend');
  if (a.help) return void console.log(usage('recommend', SPEC));
  if (!a.checkpoint) throw new Error('recommend: --checkpoint <dir> is required');
  if (a.user === undefined) throw new Error('recommend: --user <raw id> is required');
  const k = num(a, 'k', 'recommend');
  const log = (s: string) => console.log(s);
  const live = await loadLiveModel(String(a.checkpoint), a['data-dir'] as string | undefined, log);
  // The same path as the service; without --events, an empty store in memory.
  const store = new SqliteEventStore(a.events ? String(a.events) : ':memory:');
  const rec = new LiveRecommender(live, store, { rerankWeight: num(a, 'rerank-weight', 'recommend') });
  const user = String(a.user);
  try {
    const out = await rec.recommend(user, { k, rerank: !!a.rerank });
    const data = live.catalog.name;
    const known = live.catalog.userIndex(user) >= 0;
    log(`top ${out.items.length} for ${known ? '' : 'new '}user ${user} of ${data} (strategy ${out.strategy}; ${out.interactions} items seen and excluded)${a.rerank ? ', re-ranked by genre affinity' : ''}:`);
    for (const r of out.items) log(`${String(r.rank).padStart(3)}. ${r.title || 'item ' + r.item}  [${r.genres.join('|')}]  score ${r.score}`);
    if (a.json) console.log(JSON.stringify({ user, dataset: data, rerank: !!a.rerank, strategy: out.strategy, items: out.items }));
  } finally {
    await store.close();
    live.dispose();
  }
}
