/** The list of `vsr1` subcommands; one file per subcommand, each exporting `register`. */
import type { Command } from 'commander';
import { register as dataSynth } from './data_synth.js';
import { register as doctor } from './doctor.js';
import { register as evaluate } from './eval.js';
import { register as generate } from './generate.js';
import { register as launch } from './launch.js';
import { register as pipeline } from './pipeline.js';
import { register as profile } from './profile.js';
import { register as report } from './report.js';
import { register as rewardAudit } from './reward_audit.js';
import { register as sft } from './sft.js';
import { register as study } from './study.js';
import { register as train } from './train.js';

export const commands: Array<(program: Command) => void> = [doctor, dataSynth, generate, sft, train, profile, pipeline, study, evaluate, report, rewardAudit, launch];
