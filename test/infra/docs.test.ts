/**
 * The documentation that ships in docs/:
 * - every citation of a docs page in the sources (`docs/<page>.md, "Heading"`, also
 *   `…, "A" and "B"`) names a page and a heading that exist, so a renamed heading cannot leave
 *   dangling references;
 * - nothing points at the old method notes outside the repository (the shared folder, numbered
 *   section citations of METHOD.md);
 * - docs/config.md is exactly what scripts/config-docs.ts generates from the schemas.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOC, REGENERATE_COMMAND, configDocText } from '../../scripts/config-docs.js';

const ROOT = path.resolve('.');
const TEXT = /\.(ts|mts|js|mjs|cjs|py|sh|md|ya?ml|json|cpp|cc|h|hpp|txt|cmake)$/;
const SELF = path.join('test', 'infra', 'docs.test.ts');

/** Text files under `dirs` (relative to the repository root), relative paths. */
function textFiles(dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(ROOT, rel);
    let st;
    try { st = statSync(abs); } catch { return; }
    if (st.isDirectory()) {
      if (['node_modules', 'build', 'dist', '.git'].includes(path.basename(rel))) return;
      for (const f of readdirSync(abs).sort()) walk(path.join(rel, f));
    } else if (TEXT.test(rel)) out.push(rel);
  };
  dirs.forEach(walk);
  return out;
}

/** Headings of a markdown file (ATX, outside fenced code), as written after the #s. */
export function markdownHeadings(text: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (m) out.add(m[1]!);
  }
  return out;
}

const CITATION = /docs\/([\w./-]+\.md), ("[^"\n]+"(?:(?:, | and )"[^"\n]+")*)/g;

/** Every `docs/<page>.md, "Heading"` citation in `text`, with its line. */
export function citations(text: string): Array<{ line: number; page: string; heading: string }> {
  const out: Array<{ line: number; page: string; heading: string }> = [];
  text.split('\n').forEach((l, i) => {
    for (const m of l.matchAll(CITATION)) {
      for (const h of m[2]!.matchAll(/"([^"]+)"/g)) out.push({ line: i + 1, page: m[1]!, heading: h[1]! });
    }
  });
  return out;
}

describe('docs citations', () => {
  const sources = textFiles(['lib', 'native', 'scripts', 'configs', 'bench', 'test']).filter((f) => f !== SELF);
  const all = sources.flatMap((f) => citations(readFileSync(path.join(ROOT, f), 'utf8')).map((c) => ({ ...c, file: f })));

  it('finds the citations (the scan is not empty)', () => {
    expect(all.length).toBeGreaterThan(150);
    expect(all.some((c) => c.file.startsWith('lib/') && c.page === 'method.md')).toBe(true);
  });

  it('every cited docs page and heading exists', () => {
    const pages = new Map<string, Set<string> | null>();
    const headingsOf = (page: string) => {
      if (!pages.has(page)) {
        let text: string | null = null;
        try { text = readFileSync(path.join(ROOT, 'docs', page), 'utf8'); } catch { /* missing page */ }
        pages.set(page, text === null ? null : markdownHeadings(text));
      }
      return pages.get(page)!;
    };
    const bad = all.flatMap((c) => {
      const hs = headingsOf(c.page);
      if (hs === null) return [`${c.file}:${c.line}: docs/${c.page} does not exist`];
      return hs.has(c.heading) ? [] : [`${c.file}:${c.line}: docs/${c.page} has no heading "${c.heading}"`];
    });
    expect(bad, `dangling docs citations:\n${bad.join('\n')}`).toEqual([]);
  });

  it('helpers read headings and citations as written', () => {
    expect([...markdownHeadings('# A\n## Pass-1 prompt\n```\n## not a heading\n```\n### `data`\n')]).toEqual(['A', 'Pass-1 prompt', '`data`']);
    expect(citations('x (docs/method.md, "KL loss")\ny docs/gpu.md, "A", "B" and "C".').map((c) => `${c.line}:${c.page}:${c.heading}`))
      .toEqual(['1:method.md:KL loss', '2:gpu.md:A', '2:gpu.md:B', '2:gpu.md:C']);
  });
});

describe('no pointers to the old method notes', () => {
  const FORBIDDEN: Array<[RegExp, string]> = [
    [/shared\/docs/, 'the shared docs folder'],
    [/\.\.\/shared\b/, 'a path into ../shared'],
    [/\bMETHOD(\.md)?\s*(§|section\b)/, 'a METHOD section citation'],
    [/\bMETHOD\.md\b/, 'METHOD.md'],
    [/§\s?\d/, 'a numbered § citation (cite a heading of docs/method.md instead)'],
  ];
  it('lib, native, scripts, configs, docs and README.md hold none', () => {
    const files = [...textFiles(['lib', 'native', 'scripts', 'configs', 'docs']), 'README.md'];
    expect(files.length).toBeGreaterThan(100);
    const bad: string[] = [];
    for (const f of files) {
      readFileSync(path.join(ROOT, f), 'utf8').split('\n').forEach((l, i) => {
        for (const [re, what] of FORBIDDEN) if (re.test(l)) bad.push(`${f}:${i + 1}: ${what}: ${l.trim().slice(0, 120)}`);
      });
    }
    expect(bad, `pointers outside the repository:\n${bad.join('\n')}`).toEqual([]);
  });
});

describe('docs/config.md', () => {
  it('is what scripts/config-docs.ts generates from the schemas', () => {
    let current = '';
    try { current = readFileSync(path.join(ROOT, CONFIG_DOC), 'utf8'); } catch { /* missing: compared as empty */ }
    const expected = configDocText();
    expect(current === expected, `${CONFIG_DOC} is out of date with lib/config/*.ts; regenerate it with: ${REGENERATE_COMMAND}`).toBe(true);
  });

  it('has a row for every leaf key of both configs', () => {
    const text = readFileSync(path.join(ROOT, CONFIG_DOC), 'utf8');
    for (const key of ['data.rollout_batch_size', 'worker.actor.optim.lr', 'algorithm.multi_reward.token_mask', 'worker.rollout.val_override_config.top_k', 'data.train_files[].style', 'model.init.std', 'trainer.num_threads']) {
      expect(text).toContain(`| \`${key}\` |`);
    }
  });
});
