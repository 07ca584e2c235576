/** neurec's data layer: loading, cleaning, splitting, sampling and describing rating data. */
export { IdMap, type RawId, densifyNumbers, densifyStrings } from './ids';
export {
  type Interactions, type InteractionParts, type ItemMeta, type UserMeta, type NcfFileSplit,
  makeInteractions, selectRows,
} from './dataset';
export { XorShift32, Rng } from './rng';
export { LineScanner, readFileOrThrow } from './scan';
export { loadMl100k, loadMl1m, loadMlLatestSmall, yearFromTitle, ML100K_GENRES, ML1M_GENRES, ML1M_OCCUPATIONS } from './movielens';
export { loadNcf, findNcfName } from './ncf_files';
export { loadCsv, type CsvOptions, type ColumnRef } from './csv';
export {
  resolveDataset, defaultDataset, findDataset, loadFolder, searchRoots, cacheDir, dataDirFromArgs,
  missingMessage, CATALOGUE, type SourceOptions,
} from './source';
export { downloadDataset, downloadable, fetchToFile, parseMd5File, type DownloadOptions, type DownloadProgress } from './download';
export { synthetic, SYNTHETIC_SHAPES, type SyntheticOptions } from './synthetic';
export {
  densify, filterRows, dropRareItems, dropRareUsers, dropItemsWithoutGenre, dropItemsReleasedBefore, cleanLikeSeed003,
  toImplicit, type ImplicitOptions, type Seed003Options,
} from './clean';
export {
  leaveOneOut, randomSplit, temporalSplit, carveValidation, type Split, type RandomSplitOptions,
  type TemporalSplitOptions, type LeaveOneOutOptions, type CarveValidationOptions,
} from './split';
export {
  ncfEvalSet, fingerprint, fnv1a32, latestRowPerUser, type NcfEvalSet, type RankingEvalSet, type NcfEvalOptions,
} from './ncf_eval';
export { NegativeSampler, type NegativeSamplerOptions, type Positives, type TrainingInstances } from './negatives';
export { indexByUser, userHasItem, type UserItemIndex } from './csr';
export { computeStats, formatStats, quantiles, type DatasetStats, type Quantiles } from './stats';
export { zipEntries, zipRead, extractZip, crc32 } from './zip';
