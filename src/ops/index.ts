/** Every public op. */
export * from './elementwise';
export * from './reduce';
export * from './linear';
export * from './shape';
export * from './gather';
export * from './dropout';
export * from './batchnorm';
export * from './losses';
export * from './topk';
export * from './tower';
