/**
 * The popularity baseline: an item's score is its number of training interactions, the same
 * for every user. With `groupBy`, also popularity within demographic groups (age bucket,
 * gender, occupation, or a combination): a user, or a new user known only by a profile (cold
 * start), is scored by what users of the same group interacted with, shrunk towards global
 * popularity so small groups do not rank by a handful of interactions.
 */
import { Tensor } from '../tensor';
import { Module } from '../nn/module';
import type { Interactions, UserMeta } from '../data/dataset';
import type { Recommender } from './types';

/** What a new user tells us about themselves (any field may be missing). */
export interface UserProfile {
  /** Age in years (or an ml-1m age group's lower bound); 0 or absent: unknown. */
  age?: number;
  /** 'M' or 'F'; '' or absent: unknown. */
  gender?: string;
  /** Occupation name as in the data ('' or absent: unknown). */
  occupation?: string;
}

export type GroupFeature = 'age' | 'gender' | 'occupation';

/** ml-1m's age groups (lower bounds); ml-100k ages fall into the same buckets. */
export const AGE_BUCKETS = [1, 18, 25, 35, 45, 50, 56] as const;

/** The ml-1m age group of an age: 0 for under 18, ..., 6 for 56 and over; -1 unknown (0 or absent). */
export function ageBucket(age: number | undefined): number {
  if (!age || !(age > 0)) return -1;
  let b = 0;
  while (b + 1 < AGE_BUCKETS.length && age >= AGE_BUCKETS[b + 1]) b++;
  return b;
}

/** The profile of a known user, from the data's user metadata. */
export function profileOf(meta: UserMeta, user: number): UserProfile {
  return { age: meta.age[user], gender: meta.gender[user], occupation: meta.occupation[user] };
}

export interface PopularityOptions {
  /** User features that define the groups (default none: global popularity only). */
  groupBy?: GroupFeature[];
  /**
   * Shrinkage towards global popularity, in interactions: a group's score of item i is
   * (c_g(i) + m·c(i)/n) / (n_g + m) for group counts c_g, n_g and global ones c, n (default 50).
   */
  smoothing?: number;
}

export class Popularity extends Module implements Recommender {
  readonly name = 'popularity';
  readonly nUsers: number;
  readonly nItems: number;
  readonly groupBy: readonly GroupFeature[];
  readonly smoothing: number;
  /** Training interactions per item, [nItems]. */
  readonly counts: Tensor;
  private readonly global: Float32Array;
  private readonly total: number;
  private readonly meta: UserMeta | null;
  /** Per group key: its item counts and total. */
  private readonly groups = new Map<string, { counts: Float32Array; total: number }>();

  constructor(train: Interactions, opts: PopularityOptions = {}) {
    super();
    this.nUsers = train.nUsers;
    this.nItems = train.nItems;
    this.groupBy = opts.groupBy ?? [];
    for (const f of this.groupBy)
      if (!['age', 'gender', 'occupation'].includes(f)) throw new Error(`popularity: cannot group by "${f}" (expected age, gender or occupation)`);
    this.smoothing = opts.smoothing ?? 50;
    if (!(this.smoothing >= 0)) throw new Error(`popularity: smoothing must be >= 0, got ${this.smoothing}`);
    this.global = new Float32Array(train.nItems);
    for (let r = 0; r < train.length; r++) this.global[train.items[r]]++;
    this.total = train.length;
    this.counts = this.buffer('counts', Tensor.fromArray(this.global, [train.nItems]));
    this.meta = train.userMeta ?? null;
    if (this.groupBy.length > 0) {
      if (!this.meta) throw new Error(`popularity: groupBy ${this.groupBy.join(',')} needs user metadata, which ${train.name} lacks (u.user / users.dat)`);
      const keys = Array.from({ length: train.nUsers }, (_, u) => this.key(profileOf(this.meta!, u)));
      for (let r = 0; r < train.length; r++) {
        const k = keys[train.users[r]];
        let g = this.groups.get(k);
        if (!g) this.groups.set(k, (g = { counts: new Float32Array(train.nItems), total: 0 }));
        g.counts[train.items[r]]++;
        g.total++;
      }
    }
  }

  /** The group key of a profile: its values of the groupBy features ('?' where unknown). */
  key(p: UserProfile): string {
    return this.groupBy
      .map((f) => (f === 'age' ? String(ageBucket(p.age)) : f === 'gender' ? p.gender || '?' : p.occupation || '?'))
      .join('|');
  }

  /** Number of training interactions of the profile's group (0 for an unseen group). */
  groupSize(p: UserProfile): number {
    return this.groups.get(this.key(p))?.total ?? 0;
  }

  /**
   * Scores of every item for a profile: global counts without groupBy, else the group's
   * smoothed share (global share for a group never seen in training).
   */
  profileScores(p: UserProfile): Float32Array {
    if (this.groupBy.length === 0) return this.global.slice();
    const g = this.groups.get(this.key(p));
    const out = new Float32Array(this.nItems);
    const m = this.smoothing, n = this.total;
    if (!g || g.total + m === 0) {
      for (let i = 0; i < this.nItems; i++) out[i] = this.global[i] / n;
      return out;
    }
    for (let i = 0; i < this.nItems; i++) out[i] = (g.counts[i] + (m * this.global[i]) / n) / (g.total + m);
    return out;
  }

  /** Cold start: scores of `items` for a new user known only by a profile. */
  scoreProfile(p: UserProfile, items: Int32Array): Float32Array {
    const all = this.profileScores(p);
    return Float32Array.from(items, (i) => all[this.checkItem(i)]);
  }

  /** A user's scores of every item; `cache` holds each group's scores within one call. */
  private userScores(u: number, cache: Map<string, Float32Array>): Float32Array {
    if (!(u >= 0 && u < this.nUsers && Number.isInteger(u))) throw new Error(`popularity: user ${u} out of range [0, ${this.nUsers})`);
    if (this.groupBy.length === 0) return this.global;
    const p = profileOf(this.meta!, u), k = this.key(p);
    let s = cache.get(k);
    if (!s) cache.set(k, (s = this.profileScores(p)));
    return s;
  }

  private checkItem(i: number): number {
    if (!(i >= 0 && i < this.nItems && Number.isInteger(i))) throw new Error(`popularity: item ${i} out of range [0, ${this.nItems})`);
    return i;
  }

  scorePairs(users: Int32Array, items: Int32Array): Float32Array {
    if (users.length !== items.length) throw new Error(`popularity: ${users.length} users but ${items.length} items`);
    const out = new Float32Array(users.length);
    const cache = new Map<string, Float32Array>();
    for (let k = 0; k < users.length; k++) out[k] = this.userScores(users[k], cache)[this.checkItem(items[k])];
    return out;
  }

  scoreAll(users: Int32Array): Tensor {
    const out = new Float32Array(users.length * this.nItems);
    const cache = new Map<string, Float32Array>();
    for (let k = 0; k < users.length; k++) out.set(this.userScores(users[k], cache), k * this.nItems);
    return Tensor.fromArray(out, [users.length, this.nItems]);
  }
}
