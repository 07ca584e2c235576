#!/usr/bin/env node
/** The `neurec` command: train, eval, recommend, coldstart, serve, report, data stats. */
import { trainCommand } from './train';
import { evalCommand } from './eval';
import { recommendCommand } from './recommend';
import { dataCommand } from './data';
import { serveCommand } from './serve';
import { coldstartCommand } from './coldstart';
import { reportCommand } from './report';

const COMMANDS: Record<string, (argv: string[]) => void | Promise<void>> = { train: trainCommand, eval: evalCommand, recommend: recommendCommand, data: dataCommand, serve: serveCommand, coldstart: coldstartCommand, report: reportCommand };

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  const run = cmd ? COMMANDS[cmd] : undefined;
  if (!run) {
    console.error(`usage: neurec <command> [options]\ncommands: ${Object.keys(COMMANDS).join(', ')} (each takes --help)`);
    process.exitCode = cmd ? 2 : 0;
    return;
  }
  try {
    await run(rest);
  } catch (e) {
    const msg = (e as Error).message;
    console.error(msg.startsWith(`${cmd}:`) ? `neurec ${msg}` : `neurec ${cmd}: ${msg}`);
    process.exitCode = 1;
  }
}

void main(process.argv.slice(2));
