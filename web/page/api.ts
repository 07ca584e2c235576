/**
 * The page's client of the service's /v1 routes: every non-2xx answer becomes an ApiError
 * carrying the service's own message and field, so the page can show it instead of a blank.
 */
import type { RunData } from '../../src/report/run_types';

export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly field?: string) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(`could not reach the service: ${(e as Error).message}`, 0);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: reported below
  }
  const err = json as { error?: string; field?: string } | null;
  if (!res.ok) throw new ApiError(err?.error ?? `${method} ${path}: ${res.status} ${res.statusText}`, res.status, err?.field);
  if (json === null) throw new ApiError(`${method} ${path}: the answer was not JSON`, res.status);
  return json as T;
}

/** The message to show for anything a call threw. */
export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return e.field && !e.message.includes(e.field) ? `${e.message} (${e.field})` : e.message;
  return e instanceof Error ? e.message : String(e);
}

export interface Movie {
  item: string;
  title: string;
  genres: string[];
}

export interface RankedMovie extends Movie {
  rank: number;
  score: number;
}

export interface Recommendation {
  user?: string;
  model: string;
  model_version: string;
  strategy: 'model' | 'fold-in' | 'profile' | 'popularity';
  interactions: number;
  profile_weight?: number;
  items: RankedMovie[];
}

export interface ModelInfo {
  model: string;
  model_version: string;
  source: string | null;
  loaded_at: string;
  data: { name: string; users: number; items: number; rating_scale: [number, number]; genres: string[]; example_user: string | null; occupations: string[] };
  fold_in: string;
}

export interface PopularMovie extends Movie {
  rank: number;
  count: number;
}

export interface RatedMovie extends Movie {
  rating: number | null;
  kind: string;
  source: 'event' | 'training';
}

export interface History {
  user: string;
  known: boolean;
  total: number;
  items: RatedMovie[];
}

export interface Similar {
  item: Movie;
  similar: RankedMovie[];
}

export type { RunData };

export interface Profile {
  age?: number;
  gender?: 'M' | 'F';
  occupation?: string;
}

export const enc = encodeURIComponent;
