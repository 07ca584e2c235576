/**
 * The page: the loaded model, a new user (profile, star ratings, recommendations refreshed
 * after each) or a known user (top 10 and what they rated), "more like this" on any movie,
 * and the model's training curves.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf, type ModelInfo, type Movie } from './api';
import { ErrorNote } from './error_note';
import { NewUser } from './new_user';
import { KnownUser } from './known_user';
import { ModelPanel } from './model_panel';
import { SimilarDialog } from './similar_dialog';

type Tab = 'new' | 'known';

export function App() {
  const [model, setModel] = useState<ModelInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('new');
  const [similarTo, setSimilarTo] = useState<Movie | null>(null);
  useEffect(() => {
    api<ModelInfo>('GET', '/v1/model').then(setModel, (e) => setError(messageOf(e)));
  }, []);
  if (!model) return <main><h1>neurec</h1>{error ? <ErrorNote message={error} /> : <p>Loading the model…</p>}</main>;
  const d = model.data;
  const tabButton = (t: Tab, label: string) => (
    <button type="button" aria-pressed={tab === t} onClick={() => setTab(t)}>{label}</button>
  );
  return (
    <main>
      <header class="top">
        <h1>neurec</h1>
        <p class="sub">
          <strong>{model.model}</strong> · <code>{model.model_version}</code> · {d.name}: {d.users.toLocaleString('en-US')} users, {d.items.toLocaleString('en-US')} movies
        </p>
      </header>
      <div class="tabs" role="group" aria-label="Who is asking">
        {tabButton('new', 'Start as a new user')}
        {tabButton('known', 'Pick a known user')}
      </div>
      <div hidden={tab !== 'new'}><NewUser model={model} onSimilar={setSimilarTo} /></div>
      <div hidden={tab !== 'known'}><KnownUser model={model} onSimilar={setSimilarTo} /></div>
      <ModelPanel model={model} />
      <SimilarDialog movie={similarTo} onSimilar={setSimilarTo} onClose={() => setSimilarTo(null)} />
    </main>
  );
}
