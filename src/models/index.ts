/** Every model of the product. */
export { NCF, type NcfConfig, type NcfKind } from './ncf';
export { MF, type MfConfig } from './mf';
export { Popularity, type UserProfile } from './popularity';
export { AutoRec, type AutoRecConfig } from './autorec';
export { MultVAE, type MultVaeConfig } from './multvae';
export { RatingClassifier, type ClassifierConfig } from './classifier';
export { FeatureModel, type FeatureModelConfig } from './features';
export { buildModel, canonicalModel, RANKING_MODELS, RATING_MODELS } from './registry';
export type { Recommender, RatingModel } from './types';
export { isUserVectorModel, type UserVectorModel, type VectorScorer, type FoldInObjective } from './user_vectors';
export { isUserRowModel, type UserRowModel, type SparseRow } from './user_rows';
