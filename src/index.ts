/** neurec's public API: tensors, autograd, ops, optimizers, initialisers. */
export { Tensor, type DType, type Device } from './tensor';
export { tidy, keep } from './scope';
export { noGrad, backward, isGradEnabled, type RowGrad } from './autograd';
export { tensor, zeros, ones, scalar, int32 } from './creation';
export { memory, cachedBytes, releaseCache, setNumThreads, capabilities } from './memory';
export { backends, whyNot } from './backend/load';
export * from './ops';
export * from './optim';
export * from './init';
