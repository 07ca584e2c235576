/** The CLI's argument helpers. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lrDecayArg, parseArgs, type ArgSpec } from '../../src/cli/args';

const SPEC: ArgSpec = { 'lr-decay': { help: 'FACTOR,PATIENCE' } };

test('--lr-decay FACTOR,PATIENCE parses; absent is undefined; malformed names the option and the value', () => {
  assert.equal(lrDecayArg(parseArgs(['--lr-decay', '0.3,8'], SPEC, 't'), 'lr-decay', 't'), { factor: 0.3, patience: 8 });
  assert.is(lrDecayArg(parseArgs([], SPEC, 't'), 'lr-decay', 't'), undefined);
  for (const bad of ['0.3', '0.3,x', '0.3,8,2'])
    assert.throws(() => lrDecayArg(parseArgs(['--lr-decay', bad], SPEC, 't'), 'lr-decay', 't'),
      (e: Error) => e.message === `t: --lr-decay must be FACTOR,PATIENCE (e.g. 0.3,8), got "${bad}"`);
});

test.run();
