/**
 * OpenMP wait defaults, set before libtorch (and with it libgomp) loads.
 *
 * The addon runs a training step's forward and backward on its own task thread while the JS
 * thread runs the small ops between them, and generation runs on a libuv thread: each thread that
 * starts parallel work owns a libgomp thread team. Once the process holds more OpenMP threads than
 * cores, libgomp's default wait spins only ~100 times before sleeping on a futex, so every
 * parallel region pays a wake-up: on 2 cores a policy-update step ran 1.4x slower than the same
 * work all on the JS thread. An active wait with a short spin (30000 iterations, well under a
 * millisecond) keeps the workers awake between the regions of one step and lets them sleep soon
 * after it, so idle processes do not burn a core.
 *
 * libgomp reads these variables once, when it is loaded, so they must be in the environment
 * before the addon is required. A value the user set wins.
 */
export const OPENMP_DEFAULTS: Readonly<Record<string, string>> = { OMP_WAIT_POLICY: 'ACTIVE', GOMP_SPINCOUNT: '30000' };

/** Sets each OpenMP default that `env` does not already have; returns the names it set. */
export function applyOpenMpDefaults(env: NodeJS.ProcessEnv = process.env): string[] {
  const set: string[] = [];
  for (const [k, v] of Object.entries(OPENMP_DEFAULTS)) {
    if (env[k] === undefined || env[k] === '') { env[k] = v; set.push(k); }
  }
  return set;
}
