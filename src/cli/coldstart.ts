/**
 * `neurec coldstart`: recommendations for a new user (seed 001's first layer).
 *  - From a profile only (--profile age=25,gender=F,occupation=student): the items most
 *    popular among training users of the same age group, gender and occupation (smoothed
 *    toward global popularity; an unknown group falls back to it).
 *  - From a few ratings (--ratings 50:5,181:4,...) with a user-based AutoRec checkpoint: the new
 *    user's rating row is folded in (encoded and decoded) with no retraining.
 */
import { Tensor } from '../tensor';
import { noGrad } from '../autograd';
import { tidy } from '../scope';
import { Popularity, type UserProfile } from '../models/popularity';
import { AutoRec } from '../models/autorec';
import { openCheckpoint } from './checkpointed';
import { loadDataset } from './datasets';
import { COUNT, num, parseArgs, usage, type ArgSpec } from './args';
import type { Interactions } from '../data/dataset';

const SPEC: ArgSpec = {
  dataset: { help: 'data set whose users define the groups (default: the checkpoint\'s, else ml-100k)' },
  checkpoint: { help: 'a user-based AutoRec checkpoint (--variant user), for --ratings' },
  profile: { help: 'age=<years>,gender=M|F,occupation=<name> (any subset)' },
  ratings: { help: 'raw item id:rating pairs, comma-separated' },
  k: { help: 'how many items', default: '10', num: COUNT },
  'data-dir': { help: 'folder holding the data sets (else NEUREC_DATA_DIR)' },
  json: { help: 'print one JSON object as the last line', flag: true },
  help: { help: 'this text', flag: true },
};

function parseProfile(text: string): UserProfile {
  const p: UserProfile = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [key, value] = part.split('=');
    if (key === 'age') {
      p.age = Number(value);
      if (!(p.age > 0)) throw new Error(`coldstart: age must be a positive number, got "${value}"`);
    } else if (key === 'gender') {
      if (value !== 'M' && value !== 'F') throw new Error(`coldstart: gender must be M or F, got "${value}"`);
      p.gender = value;
    } else if (key === 'occupation') p.occupation = value;
    else throw new Error(`coldstart: unknown profile field "${key}" (age, gender, occupation)`);
  }
  return p;
}

function topUnseen(scores: Float32Array, exclude: Set<number>, k: number): number[] {
  const order = Array.from(scores.keys()).filter((i) => !exclude.has(i));
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  return order.slice(0, k);
}

export async function coldstartCommand(argv: string[]): Promise<void> {
  const a = parseArgs(argv, SPEC, 'coldstart');
  if (a.help) return void console.log(usage('coldstart', SPEC));
  if (!a.profile && !a.ratings) throw new Error('coldstart: give --profile and/or --ratings');
  const k = num(a, 'k', 'coldstart');
  const log = (s: string) => console.log(s);
  let data: Interactions;
  let scores: Float32Array;
  let rated = new Set<number>();
  let how: string;
  if (a.ratings) {
    if (!a.checkpoint) throw new Error('coldstart: --ratings needs --checkpoint <user-based AutoRec checkpoint>');
    const opened = await openCheckpoint(String(a.checkpoint), a['data-dir'] as string | undefined, log);
    data = opened.data;
    const model = opened.model;
    if (!(model instanceof AutoRec) || model.config.variant !== 'user')
      throw new Error(`coldstart: --ratings folds a new user into a user-based AutoRec; ${a.checkpoint} holds ${opened.meta.model}${model instanceof AutoRec ? ' (item-based)' : ''}`);
    const row = new Float32Array(data.nItems);
    for (const pair of String(a.ratings).split(',').filter(Boolean)) {
      const [rawItem, value] = pair.split(':');
      const i = data.itemIds.dense(rawItem);
      if (i < 0) throw new Error(`coldstart: unknown item id ${rawItem} in ${data.name}`);
      const r = Number(value);
      if (!Number.isFinite(r)) throw new Error(`coldstart: rating "${value}" of item ${rawItem} is not a number`);
      row[i] = r * model.inputScale;
      rated.add(i);
    }
    scores = noGrad(() => tidy(() => model.forward(Tensor.fromArray(row, [1, data.nItems])).toFloat32Array()));
    for (let i = 0; i < scores.length; i++) scores[i] /= model.inputScale;
    model.dispose();
    how = `folded into ${a.checkpoint} from ${rated.size} ratings`;
  } else {
    data = loadDataset(a.dataset as string | undefined, a['data-dir'] as string | undefined, log);
    if (!data.userMeta) throw new Error(`coldstart: ${data.name} has no user profiles to group by`);
    const profile = parseProfile(String(a.profile));
    const pop = new Popularity(data, { groupBy: (['age', 'gender', 'occupation'] as const).filter((f) => profile[f] !== undefined) });
    scores = pop.profileScores(profile);
    how = `popular among users like ${JSON.stringify(profile)} (their group has ${pop.groupSize(profile)} training interactions)`;
    pop.dispose();
  }
  const meta = data.itemMeta;
  const rows = topUnseen(scores, rated, k).map((i, j) => ({
    rank: j + 1, item: String(data.itemIds.raw(i)), title: meta?.title[i] ?? '', genres: meta?.genres[i] ?? [], score: +scores[i].toFixed(4),
  }));
  log(`top ${rows.length} for a new user of ${data.name}, ${how}:`);
  for (const r of rows) log(`${String(r.rank).padStart(3)}. ${r.title || 'item ' + r.item}  [${r.genres.join('|')}]  score ${r.score}`);
  if (a.json) console.log(JSON.stringify({ dataset: data.name, how, items: rows }));
}
