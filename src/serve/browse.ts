/**
 * Read-only views for the page (and any client): the most popular items, what a user rated
 * (their training interactions and their stored events), the loaded model's training run
 * (config.json and log.jsonl of its checkpoint folder), and the profile fields the data knows.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CatalogItem, Catalog } from './catalog';
import type { LiveModel } from './live_model';
import { RequestError, type LiveRecommender } from './recommender';
import { readRun, type RunData } from '../report/run_data';

export interface PopularItem extends CatalogItem {
  rank: number;
  /** Training interactions with the item. */
  count: number;
}

/** The k items with the most training interactions, of `genre` when given. */
export function popularItems(c: Catalog, k: number, genre?: string): PopularItem[] {
  if (genre !== undefined && !c.hasGenre(genre)) throw new RequestError('genre', `unknown genre "${genre}"; ${c.name} has ${c.genreNames.join(', ') || 'no genres'}`);
  const order: number[] = [];
  for (let i = 0; i < c.nItems; i++) if (genre === undefined || c.genresOf(i).includes(genre)) order.push(i);
  order.sort((a, b) => c.counts[b] - c.counts[a] || a - b);
  return order.slice(0, k).map((i, j) => ({ rank: j + 1, ...c.describe(i), count: c.counts[i] }));
}

export interface HistoryItem extends CatalogItem {
  rating: number | null;
  kind: string;
  /** 'event': stored by the service (newest first); 'training': in the model's training data (best rated first). */
  source: 'event' | 'training';
  /** Milliseconds since 1970, for events. */
  ts: number | null;
}

/** What a user interacted with: their stored events, newest first, then their training data, best rated first. */
export async function userHistory(rec: LiveRecommender, user: string, limit: number): Promise<{ user: string; known: boolean; total: number; items: HistoryItem[] }> {
  const c = rec.model.catalog;
  const u = c.userIndex(user);
  const id = u >= 0 ? c.userId(u) : user;
  const state = await rec.users.get(id);
  const items: HistoryItem[] = [];
  for (const e of [...state.events].reverse()) {
    const i = c.itemIndex(e.item);
    if (i >= 0) items.push({ ...c.describe(i), rating: e.rating, kind: e.kind, source: 'event', ts: e.ts });
  }
  if (u >= 0) {
    const h = c.trainingHistory(u);
    const order = Array.from(h.items.keys()).sort((a, b) => h.values[b] - h.values[a] || c.counts[h.items[b]] - c.counts[h.items[a]]);
    for (const k of order) items.push({ ...c.describe(h.items[k]), rating: c.implicit ? null : h.values[k], kind: 'training', source: 'training', ts: null });
  }
  return { user: id, known: u >= 0, total: items.length, items: items.slice(0, limit) };
}

/** The occupations in the data's user file (for a profile form), sorted; none without one. */
export function occupations(c: Catalog): string[] {
  return [...new Set(c.data.userMeta?.occupation.filter(Boolean) ?? [])].sort();
}

const runs = new WeakMap<LiveModel, RunData>();

/** The loaded model's training run, read once per model; a 404 when it has no log. */
export function trainingRun(live: LiveModel): RunData {
  const cached = runs.get(live);
  if (cached) return cached;
  const dir = live.info.source;
  if (!dir) throw new RequestError('model', `model ${live.version} was not loaded from a checkpoint folder, so there is no training log to show`, 404);
  if (!fs.existsSync(path.join(dir, 'log.jsonl'))) throw new RequestError('model', `checkpoint ${dir} has no log.jsonl (train writes one beside the weights)`, 404);
  const run = readRun(dir);
  runs.set(live, run);
  return run;
}
