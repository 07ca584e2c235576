/**
 * How the service scores users with one kind of model. Each adapter says what it does for a
 * user the model knows, for a known user's new interactions, and for a user it has never seen
 * (the `foldIn` line is shown in /v1/model and README). A representation (`Rep`) is whatever
 * the adapter scores in batches: a user vector, a rating row, a user index.
 */
import type { UserProfile } from '../../models/popularity';

export interface History {
  /** Dense item indices, oldest first (training interactions, then stored events). */
  items: Int32Array;
  /** The rating of each, NaN for a click or view. */
  values: Float32Array;
}

export interface ModelAdapter<Rep = unknown> {
  /** One line: what a new user's ratings and a known user's new events do with this model. */
  readonly foldIn: string;
  /** The model reads a profile itself (the feature model); otherwise profiles go to profile popularity. */
  readonly readsProfile: boolean;
  knownRep(user: number): Rep;
  /** A known user's representation with their new events in `history` (training + events); null: events only exclude. */
  foldInKnown(user: number, history: History, seed: number): Rep | null;
  /** A new user's representation from their interactions (and profile); null when the model cannot. */
  foldInNew(history: History, profile: UserProfile | null, seed: number): Rep | null;
  /** A new user known only by a profile, for models that read one; else null. */
  profileRep(profile: UserProfile): Rep | null;
  /** Ranking scores [reps.length × nItems], row-major. */
  scoreBatch(reps: readonly Rep[]): Float32Array;
  /** Item representations [nItems × d], row-major (for similar items), or null when the model has none. */
  itemVectors(): { data: Float32Array; dim: number } | null;
  dispose(): void;
}

/** A per-user seed for fold-in's negative sampling: the same user and history fold in the same way. */
export function foldSeed(user: string, historyLength: number): number {
  let h = 2166136261 ^ historyLength;
  for (let k = 0; k < user.length; k++) h = Math.imul(h ^ user.charCodeAt(k), 16777619);
  return h >>> 0;
}
