/** The list of `vsr1` subcommands; one file per subcommand, each exporting `register`. */
import type { Command } from 'commander';
import { register as dataSynth } from './data_synth.js';
import { register as generate } from './generate.js';

export const commands: Array<(program: Command) => void> = [dataSynth, generate];
