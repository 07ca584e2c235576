/** Optimizers: native fused steps over float32 parameters, dense and sparse-row. */
export { Optimizer } from './optimizer';
export { SGD, type SGDOptions } from './sgd';
export { Adam, AdamW, type AdamOptions } from './adam';
