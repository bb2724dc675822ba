#!/usr/bin/env node
/**
 * `vsr1` command line. Each subcommand lives in its own file in lib/cli/ and exports
 * `register(program)`; this file only wires them together and turns errors into exit codes.
 */
import { Command } from 'commander';
import { commands } from './commands.js';

async function main(argv: string[]): Promise<number> {
  const program = new Command('vsr1')
    .description('Vision-SR1: self-rewarding RL for vision-language models')
    .option('--verbose', 'print stack traces on errors')
    .showHelpAfterError();
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    const e = err as Error;
    if (program.opts().verbose) console.error(e.stack ?? e);
    else console.error(`vsr1: ${e.message}`);
    return 1;
  }
}

main(process.argv).then((code) => { process.exitCode = code; });
