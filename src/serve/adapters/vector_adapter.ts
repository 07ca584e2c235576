/**
 * GMF, MLP, NeuMF, MF, the classifier and the feature model: a user is a vector (their rows
 * of the model's user tables). A known user's new events, and a new user's interactions, are
 * folded in: the vector is refitted by a few gradient steps with the model frozen.
 */
import { Tensor } from '../../tensor';
import { tidy } from '../../scope';
import type { UserProfile } from '../../models/popularity';
import type { UserVectorModel, VectorScorer } from '../../models/user_vectors';
import { foldInVector, type FoldInOptions } from '../fold_in';
import type { History, ModelAdapter } from './adapter';

export class VectorAdapter implements ModelAdapter<Float32Array> {
  readonly foldIn: string;
  readonly readsProfile: boolean;
  private readonly scorer: VectorScorer;
  private readonly table: Float32Array;
  private readonly width: number;
  private readonly start: Float32Array;

  constructor(private readonly model: UserVectorModel, private readonly opts: { known?: FoldInOptions; fresh?: FoldInOptions; dislikeBelow?: number } = {}) {
    this.width = model.userVectorWidth;
    this.readsProfile = model.userVectorWidth > model.trainableWidth;
    const objective = model.foldInObjective === 'implicit'
      ? `interactions against sampled negatives${opts.dislikeBelow !== undefined ? ` (a rating below ${opts.dislikeBelow} counts as a dislike)` : ''}`
      : 'ratings (clicks and views without a rating are only excluded)';
    this.foldIn = `user vector refitted by gradient steps on the user's ${objective}, model frozen; a new user starts from ${this.readsProfile ? 'their profile features and a stand-in embedding' : 'the mean user vector'}`;
    this.scorer = model.vectorScorer();
    const all = Int32Array.from({ length: model.nUsers }, (_, u) => u);
    this.table = tidy(() => model.userVectors(all).toFloat32Array());
    this.start = model.newUserVector();
    // Adam moves each entry by about lr a step: scale it to the trained vectors' entries, so
    // 50 steps move a vector by a few times a typical entry, whatever the model's scale.
    let ss = 0;
    for (const x of this.table) ss += x * x;
    this.lr = Math.max(1e-3, 0.5 * Math.sqrt(ss / Math.max(1, this.table.length)));
  }

  private readonly lr: number;

  knownRep(u: number): Float32Array {
    return this.table.subarray(u * this.width, (u + 1) * this.width);
  }

  /** The interactions fold-in fits: explicit models need a rating. */
  private usable(h: History): History {
    if (this.model.foldInObjective === 'implicit') return h;
    const keep: number[] = [];
    for (let k = 0; k < h.items.length; k++) if (!Number.isNaN(h.values[k])) keep.push(k);
    return { items: Int32Array.from(keep, (k) => h.items[k]), values: Float32Array.from(keep, (k) => h.values[k]) };
  }

  foldInKnown(u: number, history: History, seed: number): Float32Array {
    // A known user starts from their trained vector, which already fits their training
    // history: a short fit on the latest interactions (the new ones among them) moves it
    // toward what they just did. It runs on the request path (the read after a write), so it is
    // kept to a few milliseconds: 10 steps over 32 interactions, against 20 over 256 before
    // (50 to 140 ms on ml-1m's NeuMF).
    return foldInVector(this.model, this.knownRep(u), this.usable(history), { steps: 10, maxInteractions: 32, lr: this.lr, dislikeBelow: this.opts.dislikeBelow, ...this.opts.known, seed });
  }

  foldInNew(history: History, profile: UserProfile | null, seed: number): Float32Array | null {
    const h = this.usable(history);
    if (h.items.length === 0) return null;
    const start = this.readsProfile ? this.model.newUserVector(profile ?? {}) : this.start;
    return foldInVector(this.model, start, h, { lr: this.lr, dislikeBelow: this.opts.dislikeBelow, ...this.opts.fresh, seed });
  }

  profileRep(profile: UserProfile): Float32Array | null {
    return this.readsProfile ? this.model.newUserVector(profile) : null;
  }

  scoreBatch(reps: readonly Float32Array[]): Float32Array {
    const n = reps.length, W = this.width;
    const v = new Float32Array(n * W);
    reps.forEach((r, k) => v.set(r, k * W));
    return tidy(() => this.scorer.scoreAll(Tensor.fromArray(v, [n, W])).toFloat32Array());
  }

  itemVectors(): { data: Float32Array; dim: number } {
    return tidy(() => {
      const t = this.model.itemVectors();
      return { data: t.toFloat32Array(), dim: t.shape[1] };
    });
  }

  dispose(): void {
    this.scorer.dispose();
  }
}
