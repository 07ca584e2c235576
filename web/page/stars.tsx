/**
 * Star ratings over the data's scale: buttons a keyboard reaches with Tab and presses with
 * Enter or Space; on implicit data (one rating value) a single "Seen it" button.
 */
import type { Movie } from './api';

function steps([lo, hi]: [number, number]): number[] {
  const out: number[] = [];
  for (let v = Math.ceil(lo); v <= Math.floor(hi); v++) out.push(v);
  return out.length ? out : [hi];
}

export function Stars({ movie, value, scale, busy, onRate }: { movie: Movie; value: number | null; scale: [number, number]; busy: boolean; onRate: (v: number) => void }) {
  const vs = steps(scale);
  if (vs.length === 1)
    return <button type="button" class="seen" aria-pressed={value !== null} disabled={busy} onClick={() => onRate(vs[0])}>{value === null ? 'Seen it' : 'Seen ✓'}</button>;
  return (
    <span class="stars" role="group" aria-label={`Rate ${movie.title}`}>
      {vs.map((v) => (
        <button type="button" key={v} class={value !== null && v <= value ? 'on' : ''} aria-pressed={value === v} disabled={busy}
          aria-label={`${v} star${v > 1 ? 's' : ''} for ${movie.title}`} title={`${v} of ${vs[vs.length - 1]}`} onClick={() => onRate(v)}>★</button>
      ))}
    </span>
  );
}

/** A rating shown, not asked: filled and empty stars, the exact value for screen readers. */
export function StarsShown({ value, scale }: { value: number; scale: [number, number] }) {
  const vs = steps(scale);
  if (vs.length === 1) return <span class="stars-shown">seen</span>;
  const full = Math.round(value - vs[0] + 1);
  return <span class="stars-shown" aria-label={`rated ${value} of ${vs[vs.length - 1]}`} title={`${value}`}>{'★'.repeat(full)}{'☆'.repeat(Math.max(0, vs.length - full))}</span>;
}
