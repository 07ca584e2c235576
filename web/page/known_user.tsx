/** A user the model knows: their top 10 and what they rated. */
import { useState } from 'preact/hooks';
import { api, enc, messageOf, type History, type ModelInfo, type Movie, type Recommendation } from './api';
import { ErrorNote } from './error_note';
import { MovieList } from './movie_list';
import { StarsShown } from './stars';
import { StrategyLine } from './strategy';

export function KnownUser({ model, onSimilar }: { model: ModelInfo; onSimilar: (m: Movie) => void }) {
  const [user, setUser] = useState(model.data.example_user ?? '');
  const [recs, setRecs] = useState<Recommendation | null>(null);
  const [history, setHistory] = useState<History | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const show = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const [r, h] = await Promise.all([
        api<Recommendation>('GET', `/v1/users/${enc(user)}/recommendations?k=10`),
        api<History>('GET', `/v1/users/${enc(user)}/interactions?limit=20`),
      ]);
      setRecs(r);
      setHistory(h);
    } catch (err) {
      setError(messageOf(err));
      setRecs(null);
      setHistory(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="known-h" data-testid="known">
      <h2 id="known-h">A known user</h2>
      <form class="row" onSubmit={show}>
        <label>User id <input name="user" value={user} onInput={(e) => setUser(e.currentTarget.value)} autocomplete="off" /></label>
        <button type="submit" disabled={busy}>{busy ? 'Asking…' : 'Show their top 10'}</button>
      </form>
      <ErrorNote message={error} />
      {recs && history && (
        <div class="two">
          <div>
            <h3>Top 10 for user {recs.user}</h3>
            <StrategyLine r={recs} />
            <MovieList rows={recs.items} label={`Top 10 for user ${recs.user}`} onSimilar={onSimilar} />
          </div>
          <div>
            <h3>What they rated {history.total > history.items.length ? `(${history.items.length} of ${history.total}, best first)` : `(${history.total})`}</h3>
            {!history.known && <p class="note">The model was not trained on this user: only what the service stored for them is here.</p>}
            <MovieList rows={history.items} label={`What user ${recs.user} rated`} onSimilar={onSimilar}
              extra={(m) => { const r = history.items.find((h) => h.item === m.item)?.rating; return r == null ? null : <StarsShown value={r} scale={model.data.rating_scale} />; }} />
          </div>
        </div>
      )}
    </section>
  );
}
