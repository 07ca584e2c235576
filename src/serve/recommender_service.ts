/**
 * Real-time recommendations from a loaded model: top-k unseen items for a known user, with
 * titles and genres. One scoring pass per request (all items for one user, then top-k with the
 * user's seen items excluded); the model and the seen-item index stay in memory.
 */
import { noGrad } from '../autograd';
import { tidy } from '../scope';
import { Tensor } from '../tensor';
import { topk } from '../ops/topk';
import { indexByUser, type UserItemIndex } from '../data/csr';
import type { Interactions } from '../data/dataset';
import type { Recommender } from '../models/types';

export interface RecommendedItem {
  rank: number;
  /** Dense item index (for joins with metadata arrays). */
  index: number;
  item: string;
  title: string;
  genres: string[];
  score: number;
}

export class RecommenderService {
  private readonly seen: UserItemIndex;

  constructor(readonly model: Recommender, readonly data: Interactions, train: Interactions = data) {
    this.seen = indexByUser(train.users, train.items, data.nUsers, data.nItems);
  }

  /** Dense index of a raw user id, or an Error that says the id is unknown. */
  userIndex(rawUser: string): number {
    const u = this.data.userIds.dense(rawUser);
    if (u < 0) throw new Error(`unknown user id ${rawUser} in ${this.data.name} (${this.data.nUsers} users)`);
    return u;
  }

  /** How many items the user has interacted with in training (all excluded from results). */
  seenCount(rawUser: string): number {
    const u = this.userIndex(rawUser);
    return this.seen.offsets[u + 1] - this.seen.offsets[u];
  }

  seenItems(rawUser: string): Int32Array {
    const u = this.userIndex(rawUser);
    return this.seen.items.subarray(this.seen.offsets[u], this.seen.offsets[u + 1]);
  }

  /** The user's k best unseen items. */
  recommend(rawUser: string, k: number): RecommendedItem[] {
    if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive integer, got ${k}`);
    const u = this.userIndex(rawUser);
    const seenItems = this.seen.items.subarray(this.seen.offsets[u], this.seen.offsets[u + 1]);
    const kk = Math.min(k, this.data.nItems);
    const { idx, val } = noGrad(() =>
      tidy(() => {
        const top = topk(this.model.scoreAll(Int32Array.of(u)), kk, {
          exclude: { ptr: Tensor.fromArray([0, seenItems.length], [2], 'int32'), idx: Tensor.fromArray(seenItems, [seenItems.length], 'int32') },
        });
        return { idx: top.indices.toArray(), val: top.values.toArray() };
      }),
    );
    const meta = this.data.itemMeta;
    const out: RecommendedItem[] = [];
    for (let j = 0; j < kk; j++) {
      const i = idx[j];
      if (i < 0) break;
      out.push({ rank: j + 1, index: i, item: String(this.data.itemIds.raw(i)), title: meta?.title[i] ?? '', genres: meta?.genres[i] ?? [], score: +val[j].toFixed(5) });
    }
    return out;
  }
}
