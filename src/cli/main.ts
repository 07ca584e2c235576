#!/usr/bin/env node
/** The `neurec` command: `neurec train ...` (more commands arrive with issue #3). */
import { trainCommand } from './train';

const COMMANDS: Record<string, (argv: string[]) => void> = { train: trainCommand };

function main(argv: string[]): void {
  const [cmd, ...rest] = argv;
  const run = cmd ? COMMANDS[cmd] : undefined;
  if (!run) {
    console.error(`usage: neurec <command> [options]\ncommands: ${Object.keys(COMMANDS).join(', ')} (each takes --help)`);
    process.exitCode = cmd ? 2 : 0;
    return;
  }
  try {
    run(rest);
  } catch (e) {
    console.error(`neurec ${cmd}: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

main(process.argv.slice(2));
