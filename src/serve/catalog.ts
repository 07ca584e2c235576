/**
 * What the service knows about the data a model was trained on, independent of the model: raw
 * ids both ways, titles and genres, each known user's training interactions (always excluded,
 * and the start of their history), the rating scale, popularity overall and by profile.
 */
import type { Interactions } from '../data/dataset';
import { indexByUser, type UserItemIndex } from '../data/csr';
import { Popularity, type UserProfile } from '../models/popularity';
import { profileOf } from '../models/popularity';

export interface CatalogItem {
  item: string;
  title: string;
  genres: string[];
}

export class Catalog {
  readonly name: string;
  readonly nUsers: number;
  readonly nItems: number;
  /** Smallest and largest rating in the training data (posted ratings must lie inside). */
  readonly ratingScale: [number, number];
  /** True when every training rating is the same value (implicit data such as clicks). */
  readonly implicit: boolean;
  readonly genreNames: string[];
  private readonly seen: UserItemIndex;
  private readonly ratings: Float32Array;
  private readonly nonGenre = new Map<string, Int32Array>();
  private readonly popularityByFields = new Map<string, Popularity>();
  /** Training interactions per item. */
  readonly counts: Float32Array;

  constructor(readonly data: Interactions, readonly train: Interactions) {
    this.name = data.name;
    this.nUsers = data.nUsers;
    this.nItems = data.nItems;
    this.seen = indexByUser(train.users, train.items, train.nUsers, train.nItems);
    this.ratings = new Float32Array(this.seen.rows.length);
    for (let k = 0; k < this.ratings.length; k++) this.ratings[k] = train.ratings[this.seen.rows[k]];
    let lo = Infinity, hi = -Infinity;
    for (const r of train.ratings) {
      if (r < lo) lo = r;
      if (r > hi) hi = r;
    }
    this.ratingScale = train.length ? [lo, hi] : [1, 5];
    this.implicit = lo === hi;
    this.genreNames = data.itemMeta?.genreNames ?? [];
    this.counts = new Float32Array(data.nItems);
    for (let r = 0; r < train.length; r++) this.counts[train.items[r]]++;
  }

  /** Dense index of a raw user id, -1 when the model's data has no such user. */
  userIndex(raw: string): number {
    return this.data.userIds.dense(raw);
  }

  /** Dense index of a raw item id, -1 when unknown. */
  itemIndex(raw: string): number {
    return this.data.itemIds.dense(raw);
  }

  /** The raw id of dense item i, as the data files spell it. */
  itemId(i: number): string {
    return String(this.data.itemIds.raw(i));
  }

  /** The raw id of dense user u. */
  userId(u: number): string {
    return String(this.data.userIds.raw(u));
  }

  describe(i: number): CatalogItem {
    const meta = this.data.itemMeta;
    return { item: this.itemId(i), title: meta?.title[i] ?? '', genres: meta?.genres[i] ?? [] };
  }

  genresOf(i: number): string[] {
    return this.data.itemMeta?.genres[i] ?? [];
  }

  /** Known user u's training items (ascending) and their ratings. */
  trainingHistory(u: number): { items: Int32Array; values: Float32Array } {
    const a = this.seen.offsets[u], b = this.seen.offsets[u + 1];
    return { items: this.seen.items.subarray(a, b), values: this.ratings.subarray(a, b) };
  }

  /** The stored profile of known user u from the data's user file, if it has one. */
  knownProfile(u: number): UserProfile | null {
    return this.data.userMeta ? profileOf(this.data.userMeta, u) : null;
  }

  hasGenre(genre: string): boolean {
    return this.genreNames.includes(genre) || (this.data.itemMeta?.genres.some((g) => g.includes(genre)) ?? false);
  }

  /** Items without `genre` (excluded when a request filters by it), ascending. */
  itemsWithoutGenre(genre: string): Int32Array {
    let out = this.nonGenre.get(genre);
    if (!out) {
      const list: number[] = [];
      for (let i = 0; i < this.nItems; i++) if (!this.genresOf(i).includes(genre)) list.push(i);
      this.nonGenre.set(genre, (out = Int32Array.from(list)));
    }
    return out;
  }

  /** Whether the data has the user fields a profile needs for "popular among users like you". */
  get hasProfiles(): boolean {
    return !!this.data.userMeta;
  }

  /**
   * Seed 001's first layer: popularity among training users who share the profile's given
   * fields (smoothed toward overall popularity); overall popularity without a profile or
   * without user data.
   */
  profileScores(p: UserProfile | null): Float32Array {
    const fields = p && this.data.userMeta ? (['age', 'gender', 'occupation'] as const).filter((f) => p[f] !== undefined && p[f] !== '') : [];
    const key = fields.join(',');
    let pop = this.popularityByFields.get(key);
    if (!pop) this.popularityByFields.set(key, (pop = new Popularity(this.train, { groupBy: [...fields] })));
    return pop.profileScores(p ?? {});
  }

  dispose(): void {
    for (const p of this.popularityByFields.values()) p.dispose();
    this.popularityByFields.clear();
  }
}
