/** Evaluation: both ranking protocols, rating errors, re-ranking. */
export { evaluateSampled, evaluateFull } from './ranking';
export { metricsFromRanks } from './metrics';
export { evaluatePairRatings, rmse, mae } from './pairs_rating';
export { evaluateRatings, topKAccuracy } from './rating';
export { genreAffinity, rerankByGenre } from './rerank';
