/** Op codes passed to the native kernels; the C++ enums in native/cpu/*.h use the same values. */

export const BinaryOp = { add: 0, sub: 1, mul: 2, div: 3 } as const;
export type BinaryOpName = keyof typeof BinaryOp;

export const UnaryOp = { relu: 0, sigmoid: 1, tanh: 2, exp: 3, log: 4, softplus: 5, neg: 6, sqrt: 7, square: 8 } as const;
export type UnaryOpName = keyof typeof UnaryOp;

export const ScalarOp = { add: 0, mul: 1, rsub: 2, rdiv: 3, pow: 4 } as const;
export type ScalarOpName = keyof typeof ScalarOp;

export const InitKind = { uniform: 0, normal: 1 } as const;
