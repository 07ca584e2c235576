/** The loaded model: name, version, data, how it folds in new users, and its training curves (the report's charts). */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, messageOf, type ModelInfo, type RunData } from './api';
import { runFigures } from '../../src/report/run_figures';
import { summaryTable } from '../../src/report/run_summary';
import { ChartView } from './chart_view';
import { TableView } from './table';

export function ModelPanel({ model }: { model: ModelInfo }) {
  const [run, setRun] = useState<RunData | null>(null);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    api<RunData>('GET', '/v1/model/training').then(setRun, (e) => setNote(messageOf(e)));
  }, []);
  const figures = useMemo(() => (run ? runFigures([run]) : []), [run]);
  return (
    <section class="panel" aria-labelledby="model-h" data-testid="model">
      <h2 id="model-h">The model</h2>
      <dl class="facts">
        <dt>model</dt><dd>{model.model}</dd>
        <dt>version</dt><dd><code>{model.model_version}</code></dd>
        <dt>data</dt><dd>{model.data.name}</dd>
        <dt>loaded</dt><dd>{model.loaded_at.replace('T', ' ').slice(0, 19)} UTC</dd>
        {model.source && <><dt>from</dt><dd><code>{model.source}</code></dd></>}
        <dt>new users</dt><dd>{model.fold_in}</dd>
      </dl>
      {note && <p class="note" role="status">Training curves: {note}</p>}
      {run && <TableView t={summaryTable([run])} label="Final figures of the training run" />}
      {figures.map((f) => <ChartView key={f.id} figure={f} />)}
    </section>
  );
}
