/**
 * A list of movies as cards (a phone-sized window stacks them): title, genres, a score or a
 * rating, whatever controls the caller adds, and "More like this".
 */
import type { ComponentChildren } from 'preact';
import type { Movie } from './api';

export interface Row extends Movie {
  score?: number;
  /** Set on a recommendation that was not in the list before the last change. */
  fresh?: boolean;
  /** Places moved up (positive) or down since the last change. */
  moved?: number;
}

export function MovieList({ rows, label, onSimilar, extra, scoreName = 'score' }: {
  rows: Row[]; label: string; onSimilar: (m: Movie) => void; extra?: (m: Row) => ComponentChildren; scoreName?: string;
}) {
  if (!rows.length) return <p class="note">Nothing to show.</p>;
  return (
    <ol class="movies" aria-label={label}>
      {rows.map((m) => (
        <li key={m.item} data-item={m.item} data-genres={m.genres.join('|')}>
          <div class="what">
            <span class="title">{m.title || `item ${m.item}`}</span>
            {m.fresh && <span class="badge">new</span>}
            {!!m.moved && <span class={m.moved > 0 ? 'up' : 'down'} aria-label={`moved ${m.moved > 0 ? 'up' : 'down'} ${Math.abs(m.moved)}`}>{m.moved > 0 ? '▲' : '▼'}{Math.abs(m.moved)}</span>}
            <span class="genres">{m.genres.join(', ') || 'no genre'}</span>
          </div>
          <div class="controls">
            {m.score !== undefined && <span class="score" title={scoreName}>{scoreName} {Math.abs(m.score) >= 100 ? m.score.toFixed(0) : m.score.toFixed(3)}</span>}
            {extra?.(m)}
            <button type="button" class="more" onClick={() => onSimilar(m)} aria-label={`More like ${m.title || m.item}`}>More like this</button>
          </div>
        </li>
      ))}
    </ol>
  );
}
