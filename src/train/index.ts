/** The trainers: implicit pairs with sampled negatives, explicit rating pairs, rating rows. */
export { trainImplicit, type ImplicitTrainOptions, type PairModel } from './implicit';
export { trainRatings, type RatingTrainOptions, type ExplicitPairModel } from './ratings';
export { trainAutoRec, trainMultVae, type AutoRecTrainOptions, type MultVaeTrainOptions } from './rows';
export { keptPathScales, formatLrSchedule, parseLrSchedule, type EpochScale } from './lr_schedule';
