/**
 * The layout of lib/ (docs/layout.md): each folder sits on a floor and imports only from lower
 * floors or from itself, so there are no folder-level import cycles. The test reads every
 * import of every lib file (static, dynamic and type-only) and fails naming each import that
 * goes up or sideways, and any cycle among folders.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = path.resolve('lib');
/** Floor of each top-level entry of lib/ (a folder, or a file at lib/'s root). */
export const FLOORS: Record<string, number> = {
  addon: 0, 'native_api.ts': 0, // the addon's loader helpers; the addon's declarations (import-free)
  'native.ts': 1, text: 1, config: 1, data: 1, tokenizer: 1, checkpoint: 1, report: 1,
  torch: 2, prompts: 2, rewards: 2, logging: 2,
  models: 3, grpo: 3, distributed: 3,
  rollout: 4, world: 4,
  eval: 5,
  train: 6,
  jobs: 7,
  cli: 8, 'index.ts': 8, 'rl.ts': 8, // the CLI and the package entry sit on the jobs they start
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const top = (file: string) => path.relative(LIB, file).split(path.sep)[0];

/** [from folder, to folder, importing file, specifier] for every relative import inside lib/. */
function imports(): Array<[string, string, string, string]> {
  const out: Array<[string, string, string, string]> = [];
  const re = /(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const f of files(LIB)) {
    for (const m of readFileSync(f, 'utf8').matchAll(re)) {
      const target = path.resolve(path.dirname(f), m[1]);
      if (!target.startsWith(LIB + path.sep)) continue;
      out.push([top(f), top(target.replace(/\.js$/, '.ts')), path.relative(LIB, f), m[1]]);
    }
  }
  return out;
}

describe('lib/ layout', () => {
  const edges = imports();

  it('every top-level entry of lib/ has a floor', () => {
    const entries = readdirSync(LIB).filter((e) => statSync(path.join(LIB, e)).isDirectory() || e.endsWith('.ts'));
    expect(entries.filter((e) => !(e in FLOORS))).toEqual([]);
    expect(edges.length).toBeGreaterThan(200);
  });

  it('imports go to a lower floor or stay in their folder', () => {
    const bad = edges.filter(([a, b]) => a !== b && FLOORS[b] >= FLOORS[a]).map(([a, b, f, s]) => `${f} (${a}, floor ${FLOORS[a]}) imports ${s} (${b}, floor ${FLOORS[b]})`);
    expect(bad).toEqual([]);
  });

  it('has no folder-level import cycle', () => {
    const graph = new Map<string, Set<string>>();
    for (const [a, b] of edges) if (a !== b) (graph.get(a) ?? graph.set(a, new Set()).get(a)!).add(b);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (n: string, trail: string[]) => {
      if (state.get(n) === 'done') return;
      if (state.get(n) === 'open') { cycles.push([...trail.slice(trail.indexOf(n)), n].join(' -> ')); return; }
      state.set(n, 'open');
      for (const m of graph.get(n) ?? []) visit(m, [...trail, n]);
      state.set(n, 'done');
    };
    for (const n of graph.keys()) visit(n, []);
    expect(cycles).toEqual([]);
  });
});
