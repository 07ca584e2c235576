/** A Table (src/report/run_summary.ts) as the report writes it: first cell of a row as its header. */
import type { Table } from '../../src/report/run_summary';

export function TableView({ t, label }: { t: Table; label: string }) {
  return (
    <div class="table-wrap">
      <table aria-label={label}>
        <thead><tr>{t.columns.map((c) => <th scope="col" key={c}>{c}</th>)}</tr></thead>
        <tbody>{t.rows.map((r, k) => <tr key={k}>{r.map((c, j) => (j ? <td key={j}>{c}</td> : <th scope="row" key={j}>{c}</th>))}</tr>)}</tbody>
      </table>
    </div>
  );
}
