/**
 * neurec's public API: the engine (tensors, autograd, ops, optimizers, initialisers) at the top
 * level, and the recommender in namespaces: data, nn, models, train, evaluation, io, serve.
 */
export { Tensor, MAX_NUMEL, type DType, type Device } from './tensor';
export { tidy, keep } from './scope';
export { noGrad, backward, isGradEnabled, type RowGrad } from './autograd';
export { tensor, zeros, ones, scalar, int32 } from './creation';
export { memory, cachedBytes, releaseCache, setNumThreads, capabilities } from './memory';
export { backends, whyNot, defaultDevice, setDefaultDevice, resolveDevice, synchronize } from './backend/load';
export * from './ops';
export * from './optim';
export * from './init';
export * as data from './data';
export * as nn from './nn';
export * as models from './models';
export * as train from './train';
export * as evaluation from './eval';
export { saveCheckpoint, loadWeights, readCheckpointMeta } from './io/checkpoint';
export * as serve from './serve';
