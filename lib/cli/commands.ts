/** The list of `vsr1` subcommands; one file per subcommand, each exporting `register`. */
import type { Command } from 'commander';

export const commands: Array<(program: Command) => void> = [];
