/**
 * Where this process sits in a data-parallel run, from the environment PyTorch's launchers set
 * (torchrun, SLURM via torchrun or srun wrappers, Kubernetes PyTorchJob, `vsr1 launch`): RANK,
 * WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT. Under torchrun the agent already hosts the
 * rendezvous store on MASTER_PORT (TORCHELASTIC_USE_AGENT_STORE), so rank 0 joins it instead of
 * opening its own, and a restarted attempt (TORCHELASTIC_RESTART_COUNT) uses fresh store keys.
 */

export interface LaunchEnv {
  rank: number;
  worldSize: number;
  localRank: number;
  /** Processes on this machine (LOCAL_WORLD_SIZE; the world size when unset). */
  localWorldSize: number;
  masterAddr: string;
  masterPort: number;
  /** A launcher's agent hosts the store (torchrun); rank 0 then connects like everyone else. */
  agentStore: boolean;
  /** Key prefix of this attempt in the store. */
  storePrefix: string;
}

function intVar(env: NodeJS.ProcessEnv, name: string, min: number): number {
  const raw = env[name];
  const v = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isInteger(v) || v < min) {
    throw new Error(`distributed launch: ${name} must be an integer >= ${min}, got ${raw === undefined ? 'nothing (unset)' : `'${raw}'`}`);
  }
  return v;
}

/**
 * The launch environment, or null for a plain single-process run (WORLD_SIZE unset, or 1
 * without RANK). A set but broken variable is an error naming it, never a silent single run.
 */
export function readLaunchEnv(env: NodeJS.ProcessEnv = process.env): LaunchEnv | null {
  if (env.WORLD_SIZE === undefined && env.RANK === undefined) return null;
  const worldSize = intVar(env, 'WORLD_SIZE', 1);
  if (worldSize === 1 && env.RANK === undefined) return null;
  const rank = intVar(env, 'RANK', 0);
  if (rank >= worldSize) throw new Error(`distributed launch: RANK ${rank} is not below WORLD_SIZE ${worldSize}`);
  const localRank = env.LOCAL_RANK === undefined ? rank : intVar(env, 'LOCAL_RANK', 0);
  const localWorldSize = env.LOCAL_WORLD_SIZE === undefined ? worldSize : intVar(env, 'LOCAL_WORLD_SIZE', 1);
  if (localRank >= localWorldSize) throw new Error(`distributed launch: LOCAL_RANK ${localRank} is not below LOCAL_WORLD_SIZE ${localWorldSize}`);
  const masterAddr = (env.MASTER_ADDR ?? '').trim();
  if (!masterAddr) throw new Error('distributed launch: MASTER_ADDR is not set (the address of rank 0, e.g. 127.0.0.1 on one machine)');
  const masterPort = intVar(env, 'MASTER_PORT', 1);
  if (masterPort > 65535) throw new Error(`distributed launch: MASTER_PORT ${masterPort} is not a TCP port`);
  const agentStore = (env.TORCHELASTIC_USE_AGENT_STORE ?? '').toLowerCase() === 'true';
  const attempt = env.TORCHELASTIC_RESTART_COUNT ?? '0';
  return { rank, worldSize, localRank, localWorldSize, masterAddr, masterPort, agentStore, storePrefix: `vsr1/attempt_${attempt}` };
}
