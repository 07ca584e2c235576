/** Every public op. */
export * from './elementwise';
export * from './reduce';
export * from './linear';
export * from './shape';
export * from './gather';
