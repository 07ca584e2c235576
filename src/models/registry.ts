/**
 * Model names on the CLI and in checkpoints, and how to rebuild each from its saved config.
 * Pair models train through src/train/implicit.ts; others bring their own trainer.
 */
import type { Module } from '../nn/module';
import type { Recommender } from './types';
import { NCF, type NcfConfig } from './ncf';

export type BuiltModel = Module & Recommender;

type Factory = (config: Record<string, unknown>) => BuiltModel;

const factories: Record<string, Factory> = {
  gmf: (c) => new NCF({ ...(c as unknown as NcfConfig), model: 'gmf' }),
  mlp: (c) => new NCF({ ...(c as unknown as NcfConfig), model: 'mlp' }),
  neumf: (c) => new NCF({ ...(c as unknown as NcfConfig), model: 'neumf' }),
};

export function modelNames(): string[] {
  return Object.keys(factories);
}

export function registerModel(name: string, factory: Factory): void {
  factories[name] = factory;
}

export function buildModel(name: string, config: Record<string, unknown>): BuiltModel {
  const f = factories[name];
  if (!f) throw new Error(`unknown model "${name}"; known: ${modelNames().join(', ')}`);
  return f(config);
}
