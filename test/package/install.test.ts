/**
 * `npm install vision-sr1` as a user does it: the repository packed with `npm pack`, the tarball
 * installed into fresh folders outside the repository.
 * - With the prebuilt addon and no C++ toolchain on PATH: the install takes the prebuild (the
 *   test fails if it built from source), `vsr1 doctor` passes, the README's TypeScript example
 *   runs, and `vsr1 pipeline --quick` runs the main job from the package's built-in configs.
 * - Without a matching prebuild, with a toolchain: the install builds from source and works.
 * - With no torch to be found: the install fails with the fix in its message, and npm leaves
 *   nothing installed.
 * Runs after the rest of the suite (scripts/test.sh), since it compiles and trains.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshApp, NPM_INSTALL, packRepo, pathWithoutToolchain, readmeExample, REPO, run, withoutPrebuilds } from './helpers.js';

const MIN = 60_000;
let root = '';
let tgz = '';
let noToolchainPath = '';
const record = (app: string) => JSON.parse(readFileSync(path.join(app, 'node_modules', 'vision-sr1', 'build', 'vsr1-install.json'), 'utf8')) as { kind: string; addon: string };
const tsxVersion = () => (JSON.parse(readFileSync(path.join(REPO, 'node_modules', 'tsx', 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'vsr1-package-'));
  const pre = run('npm', ['run', '--silent', 'prebuild'], { cwd: REPO });
  if (pre.status !== 0) throw new Error(`npm run prebuild failed:\n${pre.out}`);
  tgz = packRepo(root);
  noToolchainPath = pathWithoutToolchain(root);
}, 15 * MIN);

afterAll(() => { /* the folders stay in the OS temp dir for inspection after a failure */ });

describe('the packed package', () => {
  it('ships the addon, configs and docs, and no tests, runs or results', () => {
    const list = run('tar', ['tzf', tgz], { cwd: root });
    const files = list.out.trim().split('\n').map((f) => f.replace(/^package\//, ''));
    expect(files).toContain('prebuilds/linux-x64/vsr1.napi.glibc.torch2.11.cxx11.node');
    expect(files).toContain('configs/world_sft.yaml');
    expect(files).toContain('docs/method.md');
    expect(files).toContain('dist/lib/rl.js');
    expect(files).toContain('dist/lib/rl.d.ts');
    expect(files.filter((f) => /^(test|runs|results|bench|notes|dist\/bench|dist\/test)\//.test(f) || f.endsWith('.map'))).toEqual([]);
  });
});

describe('npm install with a prebuilt addon and no C++ toolchain', () => {
  let app = '';
  const env = () => ({ ...process.env, PATH: noToolchainPath });

  it('installs the prebuild, not a source build', () => {
    expect(run('sh', ['-c', 'command -v cmake || command -v g++ || command -v c++ || echo none'], { cwd: root, env: env() }).out.trim()).toBe('none');
    app = freshApp(root, 'app-prebuilt', tgz);
    const r = run('npm', [...NPM_INSTALL, tgz, `tsx@${tsxVersion()}`], { cwd: app, env: env(), timeoutMs: 10 * MIN });
    expect(r.status, r.out).toBe(0);
    const rec = record(app);
    expect(rec.kind, 'the install built from source where the prebuild should have been used').toBe('prebuilt');
    expect(rec.addon).toContain(path.join('prebuilds', 'linux-x64'));
    expect(existsSync(path.join(app, 'node_modules', 'vision-sr1', 'build', 'Release'))).toBe(false);
  }, 10 * MIN);

  it('vsr1 doctor passes and names the prebuilt addon', () => {
    const r = run('npx', ['vsr1', 'doctor'], { cwd: app, env: env() });
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/addon\s+\S+vsr1\.napi\.glibc\.torch2\.11\.cxx11\.node \(prebuilt\)/);
    expect(r.out).toContain('ok: no problems found');
  });

  it('runs the README TypeScript example (a custom loss through vision-sr1/rl)', () => {
    const example = readmeExample(readFileSync(path.join(REPO, 'README.md'), 'utf8'));
    expect(example).toBe(readFileSync(path.join(REPO, 'examples', 'custom_loss.ts'), 'utf8'));
    writeFileSync(path.join(app, 'example.ts'), example);
    const r = run('npx', ['tsx', 'example.ts'], { cwd: app, env: env(), timeoutMs: 5 * MIN });
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/trained 2 steps with the Dr\. GRPO token-sum loss/);
    const metrics = readFileSync(path.join(app, 'runs', 'custom-loss', 'grpo', 'metrics.jsonl'), 'utf8');
    expect(metrics).toContain('"actor/dr_grpo_loss"');
  }, 5 * MIN);

  it('vsr1 pipeline --quick runs the main job from the built-in configs and writes ./runs', () => {
    const r = run('npx', ['vsr1', 'pipeline', '--quick'], { cwd: app, env: env(), timeoutMs: 8 * MIN });
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/test \(150\)\s+SFT \+ GRPO seed 0/);
    expect(existsSync(path.join(app, 'runs', 'pipeline-quick', 'summary.md'))).toBe(true);
    expect(existsSync(path.join(app, 'runs', 'pipeline-quick', 'curves.png'))).toBe(true);
  }, 8 * MIN);
});

describe('npm install with no matching prebuild', () => {
  it('builds from source when a toolchain is there, and the result works', () => {
    const src = withoutPrebuilds(tgz, path.join(root, 'vision-sr1-no-prebuilds.tgz'));
    const app = freshApp(root, 'app-source', src);
    // --foreground-scripts: npm shows a successful install script's output only with it.
    const r = run('npm', [...NPM_INSTALL, '--foreground-scripts', src], { cwd: app, timeoutMs: 20 * MIN });
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/no prebuilt addon for linux-x64 glibc torch 2\.11 cxx11 ABI \(prebuilt: none\); trying a source build/);
    const rec = record(app);
    expect(rec.kind).toBe('source');
    expect(existsSync(rec.addon)).toBe(true);
    const d = run('npx', ['vsr1', 'doctor'], { cwd: app });
    expect(d.status, d.out).toBe(0);
    expect(d.out).toContain('(built from source)');
  }, 20 * MIN);

  it('without a toolchain either, fails with the fix and installs nothing', () => {
    const src = path.join(root, 'vision-sr1-no-prebuilds.tgz');
    const app = freshApp(root, 'app-neither', src);
    const before = readFileSync(path.join(app, 'package.json'), 'utf8');
    const r = run('npm', [...NPM_INSTALL, src], { cwd: app, env: { ...process.env, PATH: noToolchainPath }, timeoutMs: 5 * MIN });
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/a source build needs cmake, a C\+\+ compiler/);
    expect(r.out).toMatch(/fix: .*pip install "torch==2\.11\.\*"/);
    expect(existsSync(path.join(app, 'node_modules', 'vision-sr1'))).toBe(false);
    expect(readFileSync(path.join(app, 'package.json'), 'utf8')).toBe(before);
  }, 5 * MIN);
});

describe('npm install with no torch to be found', () => {
  it('fails naming the pip command that fixes it, and leaves nothing installed', () => {
    const app = freshApp(root, 'app-no-torch', tgz);
    const python = path.join(root, 'python-without-torch');
    writeFileSync(python, '#!/bin/sh\n# python that does not see site-packages, so has no torch\nexec python3 -S "$@"\n');
    chmodSync(python, 0o755);
    const env = { ...process.env, VSR1_PYTHON: python };
    delete env.LIBTORCH;
    delete env.Torch_DIR;
    const before = readFileSync(path.join(app, 'package.json'), 'utf8');
    const r = run('npm', [...NPM_INSTALL, tgz], { cwd: app, env, timeoutMs: 5 * MIN });
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/libtorch not found/);
    expect(r.out).toContain(`fix: ${python} -m pip install "torch==2.11.*"`);
    expect(existsSync(path.join(app, 'node_modules', 'vision-sr1'))).toBe(false);
    expect(readFileSync(path.join(app, 'package.json'), 'utf8')).toBe(before);
  }, 5 * MIN);
});
