/** Which strategy answered, in words: the service names it in every answer. */
import type { Recommendation } from './api';

export function StrategyLine({ r }: { r: Recommendation }) {
  const why = r.strategy === 'model' ? 'a user the model was trained on'
    : r.strategy === 'fold-in' ? `${r.interactions} interaction${r.interactions === 1 ? '' : 's'} folded into the model`
    : r.strategy === 'profile' ? 'popular among users of the same age group, gender and occupation'
    : 'nothing known yet: the most popular movies';
  const blend = r.profile_weight !== undefined ? `, blended with the profile at weight ${r.profile_weight.toFixed(2)}` : '';
  return <p class="strategy">strategy: <strong data-strategy={r.strategy}>{r.strategy}</strong> ({why}{blend})</p>;
}
