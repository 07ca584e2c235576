/**
 * Model names on the CLI and in checkpoints, and how to rebuild each from its saved config
 * (plus the training data, for models whose inputs are rating rows).
 */
import type { Module } from '../nn/module';
import type { Interactions } from '../data/dataset';
import type { Recommender } from './types';
import { NCF, type NcfConfig } from './ncf';
import { MF, type MfConfig } from './mf';
import { MultVAE, type MultVaeConfig } from './multvae';
import { AutoRec, type AutoRecConfig } from './autorec';
import { RatingClassifier, type ClassifierConfig } from './classifier';
import { FeatureModel, type FeatureModelConfig } from './features';

export type BuiltModel = Module & Recommender;

export const RANKING_MODELS = ['gmf', 'mlp', 'neumf', 'mf', 'vae', 'popularity'] as const;
export const RATING_MODELS = ['autoencoder', 'mf-rating', 'classifier', 'features'] as const;
const ALIASES: Record<string, string> = { autorec: 'autoencoder', multvae: 'vae', 'mult-vae': 'vae', pop: 'popularity' };

/** The model's canonical name, or an Error listing the known ones. */
export function canonicalModel(name: string): string {
  const n = ALIASES[name] ?? name;
  if (![...RANKING_MODELS, ...RATING_MODELS].includes(n as never))
    throw new Error(`unknown model "${name}"; known: ${[...RANKING_MODELS, ...RATING_MODELS].join(', ')} (aliases: ${Object.keys(ALIASES).join(', ')})`);
  return n;
}

type Factory = (config: Record<string, unknown>, train?: Interactions) => BuiltModel;

const factories: Record<string, Factory> = {
  gmf: (c) => new NCF({ ...(c as unknown as NcfConfig), model: 'gmf' }),
  mlp: (c) => new NCF({ ...(c as unknown as NcfConfig), model: 'mlp' }),
  neumf: (c) => new NCF({ ...(c as unknown as NcfConfig), model: 'neumf' }),
  mf: (c) => new MF(c as unknown as MfConfig),
  'mf-rating': (c) => new MF(c as unknown as MfConfig),
  classifier: (c) => new RatingClassifier(c as unknown as ClassifierConfig),
  vae: (c, train) => withInputs(new MultVAE(c as unknown as MultVaeConfig), train),
  autoencoder: (c, train) => withInputs(new AutoRec(c as unknown as AutoRecConfig), train),
  // Side information is not in the checkpoint: it is the data set's, read again with it.
  features: (c, train) => {
    if (!train?.userMeta || !train.itemMeta) throw new Error(`the features model reads user and item side information, and ${train ? train.name + ' has none' : 'no training data was given'}`);
    return new FeatureModel({ ...(c as unknown as FeatureModelConfig), userMeta: train.userMeta, itemMeta: train.itemMeta });
  },
};

function withInputs<M extends { setInputs(t: Interactions): void }>(m: M, train?: Interactions): M {
  if (!train) throw new Error('this model reads its training rows at prediction time: pass the training data');
  m.setInputs(train);
  return m;
}

/** Models a checkpoint can be rebuilt for. */
export function loadableModels(): string[] {
  return Object.keys(factories);
}

export function buildModel(name: string, config: Record<string, unknown>, train?: Interactions): BuiltModel {
  const f = factories[canonicalModel(name)];
  if (!f) throw new Error(`model "${name}" cannot be rebuilt from a checkpoint yet (loadable: ${loadableModels().join(', ')})`);
  return f(config, train);
}
