/**
 * A new user: a profile, star ratings on popular movies (a genre at a time if they like), and
 * the recommendations asked again after every rating, so the fold-in shows as it happens:
 * the strategy, what entered the list (new) and what moved. The user id lives in the tab's
 * sessionStorage; on a reload their stored ratings are read back from the service.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, enc, messageOf, type History, type ModelInfo, type Movie, type PopularMovie, type Profile, type Recommendation } from './api';
import { ErrorNote } from './error_note';
import { MovieList, type Row } from './movie_list';
import { ProfileForm } from './profile_form';
import { Stars } from './stars';
import { StrategyLine } from './strategy';

const KEY = 'neurec-new-user';
const freshId = () => `web-${Math.random().toString(36).slice(2, 10)}`;

export function NewUser({ model, onSimilar }: { model: ModelInfo; onSimilar: (m: Movie) => void }) {
  const [user, setUser] = useState(() => sessionStorage.getItem(KEY) ?? freshId());
  const [genre, setGenre] = useState('');
  const [popular, setPopular] = useState<PopularMovie[]>([]);
  const [ratings, setRatings] = useState<Map<string, { title: string; rating: number }>>(new Map());
  const [recs, setRecs] = useState<Recommendation | null>(null);
  const [before, setBefore] = useState<Map<string, number> | null>(null);
  const [updates, setUpdates] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const shown = useRef<Recommendation | null>(null);

  const refresh = async () => {
    const r = await api<Recommendation>('GET', `/v1/users/${enc(user)}/recommendations?k=10`);
    setBefore(shown.current ? new Map(shown.current.items.map((m) => [m.item, m.rank])) : null);
    shown.current = r;
    setRecs(r);
    setUpdates((n) => n + 1);
  };
  const attempt = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    sessionStorage.setItem(KEY, user);
    shown.current = null;
    void attempt(async () => {
      const h = await api<History>('GET', `/v1/users/${enc(user)}/interactions?limit=1000`);
      setRatings(new Map(h.items.filter((m) => m.rating !== null).reverse().map((m) => [m.item, { title: m.title, rating: m.rating! }])));
      await refresh();
    });
  }, [user]);
  useEffect(() => {
    api<{ items: PopularMovie[] }>('GET', `/v1/items/popular?k=12${genre ? `&genre=${enc(genre)}` : ''}`).then((p) => setPopular(p.items), (e) => setError(messageOf(e)));
  }, [genre]);

  const rate = (m: Movie, rating: number) => attempt(async () => {
    await api('POST', `/v1/users/${enc(user)}/interactions`, { item: m.item, rating });
    setRatings((prev) => new Map(prev).set(m.item, { title: m.title, rating }));
    await refresh();
  });
  const saveProfile = (p: Profile) => attempt(async () => {
    await api('PUT', `/v1/users/${enc(user)}/profile`, p);
    await refresh();
  });
  const startOver = () => {
    setRatings(new Map());
    setRecs(null);
    setBefore(null);
    setUser(freshId());
  };

  const rows: Row[] = (recs?.items ?? []).map((m) => {
    const was = before?.get(m.item);
    return { ...m, fresh: !!before && was === undefined, moved: was === undefined ? 0 : was - m.rank };
  });
  return (
    <section class="panel" aria-labelledby="new-h" data-testid="new">
      <h2 id="new-h">A new user</h2>
      <p class="note">You are <code>{user}</code> to the service. <button type="button" class="link" onClick={startOver}>Start over as someone else</button></p>
      <ProfileForm model={model} busy={busy} onSave={saveProfile} />
      <ErrorNote message={error} />
      <div class="two">
        <div>
          <h3>Rate a few popular movies</h3>
          <label class="row">Genre{' '}
            <select value={genre} onChange={(e) => setGenre(e.currentTarget.value)}>
              <option value="">any</option>
              {model.data.genres.map((g) => <option key={g} value={g}>{g}</option>)}
            </select>
          </label>
          <MovieList rows={popular} label="Popular movies to rate" onSimilar={onSimilar}
            extra={(m) => <Stars movie={m} value={ratings.get(m.item)?.rating ?? null} scale={model.data.rating_scale} busy={busy} onRate={(v) => rate(m, v)} />} />
          {ratings.size > 0 && <p class="note" data-testid="rated">You rated {ratings.size}: {[...ratings.values()].map((r) => `${r.title} (${r.rating})`).join(', ')}.</p>}
        </div>
        <div data-testid="recs" data-updates={updates} aria-live="polite">
          <h3>Recommended for you</h3>
          {recs ? <StrategyLine r={recs} /> : <p>Asking…</p>}
          {recs && <MovieList rows={rows} label="Recommended for you" onSimilar={onSimilar} />}
        </div>
      </div>
    </section>
  );
}
