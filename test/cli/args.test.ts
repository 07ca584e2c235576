/** The CLI's argument helpers. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COUNT, COUNT0, POSITIVE, SEED, lrDecayArg, parseArgs, type ArgSpec } from '../../src/cli/args';
import { TRAIN_SPEC } from '../../src/cli/train';

const SPEC: ArgSpec = { 'lr-decay': { help: 'FACTOR,PATIENCE' } };

test('--lr-decay FACTOR,PATIENCE parses; absent is undefined; malformed names the option and the value', () => {
  assert.equal(lrDecayArg(parseArgs(['--lr-decay', '0.3,8'], SPEC, 't'), 'lr-decay', 't'), { factor: 0.3, patience: 8 });
  assert.is(lrDecayArg(parseArgs([], SPEC, 't'), 'lr-decay', 't'), undefined);
  for (const bad of ['0.3', '0.3,x', '0.3,8,2'])
    assert.throws(() => lrDecayArg(parseArgs(['--lr-decay', bad], SPEC, 't'), 'lr-decay', 't'),
      (e: Error) => e.message === `t: --lr-decay must be FACTOR,PATIENCE (e.g. 0.3,8), got "${bad}"`);
  for (const bad of ['0,8', '1.5,8', '0.3,0', '0.3,2.5', '-0.3,8'])
    assert.throws(() => lrDecayArg(parseArgs(['--lr-decay', bad], SPEC, 't'), 'lr-decay', 't'), /needs 0 < FACTOR <= 1 and an integer PATIENCE >= 1/);
});

test('numeric options are range-checked at parse time, defaults included (--batch 0 hung, --epochs -1 exited 0)', () => {
  const spec: ArgSpec = {
    batch: { help: '', num: COUNT }, epochs: { help: '', num: COUNT0 }, lr: { help: '', num: POSITIVE },
    seed: { help: '', default: '42', num: SEED }, layers: { help: '', num: { ...COUNT, list: true } },
    share: { help: '', num: { min: 0, below: 1 } },
  };
  assert.equal(parseArgs(['--batch', '256', '--epochs', '0', '--lr=1e-3', '--layers', '64,32'], spec, 't'),
    { seed: '42', batch: '256', epochs: '0', lr: '1e-3', layers: '64,32' });
  const cases: Array<[string[], string]> = [
    [['--batch', '0'], 't: --batch must be an integer >= 1, got "0"'],
    [['--batch', '2.5'], 't: --batch must be an integer >= 1, got "2.5"'],
    [['--batch', '1e400'], 't: --batch must be an integer >= 1, got "1e400"'],
    [['--epochs', '-1'], 't: --epochs must be an integer >= 0, got "-1"'],
    [['--epochs', 'ten'], 't: --epochs must be an integer >= 0, got "ten"'],
    [['--epochs', ''], 't: --epochs must be an integer >= 0, got ""'],
    [['--lr', '0'], 't: --lr must be a number > 0, got "0"'],
    [['--lr', 'NaN'], 't: --lr must be a number > 0, got "NaN"'],
    [['--seed', '-3'], 't: --seed must be an integer >= 0 and <= 9007199254740991, got "-3"'],
    [['--layers', '64,,32'], 't: --layers must be comma-separated integers >= 1, got "64,,32"'],
    [['--share', '1'], 't: --share must be a number >= 0 and < 1, got "1"'],
  ];
  for (const [argv, msg] of cases) assert.throws(() => parseArgs(argv, spec, 't'), (e: Error) => e.message === msg, argv.join(' '));
  assert.throws(() => parseArgs([], { n: { help: '', default: '0', num: COUNT } }, 't'), /--n must be an integer >= 1, got "0"/, 'a bad default is caught too');
});

test('train: every numeric option has a range, and every default is in it', () => {
  parseArgs([], TRAIN_SPEC, 'train');
  for (const k of ['epochs', 'batch', 'lr', 'weight-decay', 'init-std', 'table-lr', 'row-l2', 'factors', 'layers', 'hidden', 'lambda',
    'input-dropout', 'negatives', 'seed', 'alpha', 'patience', 'threads'])
    assert.ok(TRAIN_SPEC[k].num, `--${k} has no range`);
  assert.throws(() => parseArgs(['--batch', '0'], TRAIN_SPEC, 'train'), /train: --batch must be an integer >= 1, got "0"/);
  assert.throws(() => parseArgs(['--epochs', '-1'], TRAIN_SPEC, 'train'), /train: --epochs must be an integer >= 0, got "-1"/);
  assert.throws(() => parseArgs(['--input-dropout', '1'], TRAIN_SPEC, 'train'), /--input-dropout must be a number >= 0 and < 1/);
});

test.run();
