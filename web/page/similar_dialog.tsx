/**
 * "More like this": the movies nearest to one in the model's item representation, in a modal
 * dialog (Escape or Close shuts it and focus returns to the page); a model without item
 * vectors says so.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, enc, messageOf, type Movie, type Similar } from './api';
import { ErrorNote } from './error_note';
import { MovieList } from './movie_list';

export function SimilarDialog({ movie, onSimilar, onClose }: { movie: Movie | null; onSimilar: (m: Movie) => void; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [answer, setAnswer] = useState<Similar | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const d = ref.current!;
    setAnswer(null);
    setError(null);
    if (!movie) {
      if (d.open) d.close();
      return;
    }
    if (!d.open) d.showModal();
    let current = true;
    api<Similar>('GET', `/v1/items/${enc(movie.item)}/similar?k=10`).then((a) => current && setAnswer(a), (e) => current && setError(messageOf(e)));
    return () => {
      current = false;
    };
  }, [movie]);
  return (
    <dialog ref={ref} class="similar" aria-labelledby="similar-h" onClose={onClose} data-testid="similar">
      <h2 id="similar-h">More like {movie?.title || movie?.item}</h2>
      <p class="note">{movie?.genres.join(', ')}</p>
      <ErrorNote message={error} />
      {!answer && !error && <p>Finding similar movies…</p>}
      {answer && <MovieList rows={answer.similar} label={`Movies like ${movie?.title}`} onSimilar={onSimilar} scoreName="cosine" />}
      <form method="dialog"><button type="submit">Close</button></form>
    </dialog>
  );
}
