/**
 * `vsr1 launch --nproc-per-node N -- train --config FILE`: a data-parallel run of N ranks on this
 * machine (lib/distributed/launcher.ts). Several machines: start each rank under torchrun,
 * srun or a PyTorchJob, which set the same environment.
 */
import type { Command } from 'commander';
import { launch } from '../distributed/launcher.js';

export function register(program: Command): void {
  program
    .command('launch')
    .description('run a command as N data-parallel ranks on this machine (RANK, WORLD_SIZE, MASTER_ADDR/PORT set as torchrun does): vsr1 launch --nproc-per-node 2 -- train --config FILE')
    .option('--nproc-per-node <n>', 'ranks to start', '1')
    .option('--master-addr <host>', 'address of the rendezvous store (rank 0)', '127.0.0.1')
    .option('--master-port <port>', 'port of the rendezvous store (0 = a free one)', '0')
    .option('--threads-per-rank <n>', 'OMP_NUM_THREADS of each rank (default: unchanged)')
    .option('--grace <s>', 'seconds the other ranks get to stop after one fails', '10')
    .argument('<command...>', 'the vsr1 command each rank runs (after --)')
    .allowUnknownOption(true)
    .action(async (command: string[], o) => {
      const int = (k: string, v: string, min: number) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < min) throw new Error(`--${k}: expected an integer >= ${min}, got ${v}`);
        return n;
      };
      const code = await launch({
        nprocPerNode: int('nproc-per-node', o.nprocPerNode, 1), args: command, masterAddr: o.masterAddr, masterPort: int('master-port', o.masterPort, 0),
        threadsPerRank: o.threadsPerRank === undefined ? null : int('threads-per-rank', o.threadsPerRank, 1), graceS: Number(o.grace),
      });
      process.exitCode = code;
    });
}
