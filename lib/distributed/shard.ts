/**
 * How work splits across ranks: contiguous, equal slices of a batch (a prompt's n samples stay on
 * one rank, so group advantages need no communication), and parameter owners for sharded
 * optimizer state (contiguous runs of parameters, balanced by element count).
 */

/** Rank `rank`'s slice [start, end) of `n` items; `n` must split evenly (`what` names them in the error). */
export function shardRange(n: number, rank: number, worldSize: number, what: string): [number, number] {
  if (n % worldSize !== 0) throw new Error(`distributed: ${what} (${n}) must be divisible by the world size ${worldSize}`);
  const per = n / worldSize;
  return [rank * per, (rank + 1) * per];
}

/**
 * The owner rank of each parameter: parameters in order, cut where the running element count
 * crosses each rank's equal share, so every rank owns about 1/worldSize of the elements.
 */
export function partitionParameters(numels: readonly number[], worldSize: number): number[] {
  const total = numels.reduce((a, b) => a + b, 0);
  const owners: number[] = [];
  let seen = 0;
  for (const n of numels) {
    // The parameter goes to the rank whose share holds its middle element.
    const mid = seen + n / 2;
    owners.push(Math.min(worldSize - 1, Math.floor((mid * worldSize) / Math.max(total, 1))));
    seen += n;
  }
  return owners;
}
