/**
 * The addon's packaging rules without npm: prebuild names and matching, reading a libtorch's
 * version/CUDA/ABI from its files, the toolchain check, the install record, built-in config
 * lookup, and that the addon links no CUDA library (one build for CPU and CUDA wheels).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInstallRecord, writeInstallRecord } from '../../lib/addon/install_record.js';
import { describeLibtorch, findLibtorch, LibtorchNotFound } from '../../lib/addon/libtorch.js';
import { listPrebuilds, matchPrebuild, prebuildFileName, prebuildPath } from '../../lib/addon/prebuilds.js';
import { missingToolchain } from '../../lib/addon/source_build.js';
import { resolveConfigPath } from '../../lib/config/builtin.js';
import { addon } from '../../lib/native.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'vsr1-addon-'));

/** A fake libtorch folder: include/torch, lib/libtorch_cpu.so and a libc10.so whose bytes do or do not carry the cxx11 mangling. */
function fakeLibtorch(o: { versionPy?: string; buildVersion?: string; cxx11: boolean; cuda?: boolean }): string {
  const root = tmp();
  mkdirSync(path.join(root, 'include', 'torch'), { recursive: true });
  mkdirSync(path.join(root, 'lib'));
  writeFileSync(path.join(root, 'lib', 'libtorch_cpu.so'), 'x');
  writeFileSync(path.join(root, 'lib', 'libc10.so'), o.cxx11 ? '_ZN3c105ErrorC1ENSt7__cxx1112basic_stringB5cxx11' : '_ZN3c105ErrorC1ESs');
  if (o.cuda) writeFileSync(path.join(root, 'lib', 'libtorch_cuda.so'), 'x');
  if (o.versionPy) writeFileSync(path.join(root, 'version.py'), o.versionPy);
  if (o.buildVersion) writeFileSync(path.join(root, 'build-version'), o.buildVersion);
  return root;
}

describe('prebuilt addon names', () => {
  it('round-trips the tags through the file name and matches only on every tag', () => {
    const dir = tmp();
    const want = { platform: 'linux', arch: 'x64', libc: 'glibc', torch: '2.11', cxx11abi: true };
    expect(prebuildFileName(want)).toBe('vsr1.napi.glibc.torch2.11.cxx11.node');
    for (const t of [want, { ...want, torch: '2.10' }, { ...want, cxx11abi: false }, { ...want, libc: 'musl' }, { platform: 'darwin', arch: 'arm64', libc: null, torch: '2.11', cxx11abi: true }]) {
      const p = prebuildPath(dir, t);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, '');
    }
    writeFileSync(path.join(dir, 'linux-x64', 'README'), 'not an addon');
    expect(listPrebuilds(dir)).toHaveLength(5);
    expect(matchPrebuild(dir, want)?.file).toBe(path.join(dir, 'linux-x64', 'vsr1.napi.glibc.torch2.11.cxx11.node'));
    expect(matchPrebuild(dir, { ...want, torch: '2.9' })).toBeNull();
    expect(matchPrebuild(dir, { ...want, arch: 'arm64' })).toBeNull();
    expect(matchPrebuild(dir, { platform: 'darwin', arch: 'arm64', libc: null, torch: '2.11', cxx11abi: true })?.file).toContain('darwin-arm64');
  });
});

describe('reading a libtorch from its files', () => {
  it('the Python package: version, CUDA and ABI', () => {
    const t = describeLibtorch(fakeLibtorch({ versionPy: "__version__ = '2.11.0+cu130'\ncuda: Optional[str] = '13.0'\n", cxx11: true }), 'python');
    expect([t.version, t.majorMinor, t.cuda, t.cxx11abi]).toEqual(['2.11.0+cu130', '2.11', '13.0', true]);
    const cpu = describeLibtorch(fakeLibtorch({ versionPy: "__version__ = '2.10.1+cpu'\ncuda: Optional[str] = None\n", cxx11: false }), 'python');
    expect([cpu.majorMinor, cpu.cuda, cpu.cxx11abi]).toEqual(['2.10', null, false]);
  });

  it('a libtorch download: build-version', () => {
    expect(describeLibtorch(fakeLibtorch({ buildVersion: '2.11.0+cu126\n', cxx11: true, cuda: true }), 'LIBTORCH').cuda).toBe('12.6');
    expect(describeLibtorch(fakeLibtorch({ buildVersion: '2.11.0+cpu', cxx11: true }), 'LIBTORCH').cuda).toBeNull();
  });

  it('names what is missing', () => {
    const root = tmp();
    expect(() => describeLibtorch(root, 'LIBTORCH')).toThrow(/incomplete: .*include\/torch is missing/);
    expect(() => describeLibtorch(fakeLibtorch({ cxx11: true }), 'LIBTORCH')).toThrow(/neither version.py nor build-version/);
  });

  it('with nothing to find, the error carries the pip command that fixes it', () => {
    const saved = { ...process.env };
    try {
      delete process.env.LIBTORCH;
      delete process.env.Torch_DIR;
      process.env.VSR1_PYTHON = '/nonexistent/python3';
      let err: unknown;
      try { findLibtorch({ supported: ['2.10', '2.11'] }); } catch (e) { err = e; }
      // /usr/local/libtorch or /opt/libtorch would be found first where they exist.
      expect(err).toBeInstanceOf(LibtorchNotFound);
      expect((err as LibtorchNotFound).fix).toBe('/nonexistent/python3 -m pip install "torch==2.11.*"   (or set LIBTORCH to an unpacked libtorch folder)');
    } finally {
      process.env = saved;
    }
  });
});

describe('the install step pieces', () => {
  it('sees a missing toolchain on PATH', () => {
    const bin = tmp();
    expect(missingToolchain({ PATH: bin })).toEqual(['cmake', 'a C++ compiler (g++ or clang++)', 'make or ninja']);
    for (const f of ['cmake', 'g++', 'ninja']) writeFileSync(path.join(bin, f), '');
    expect(missingToolchain({ PATH: bin })).toEqual([]);
  });

  it('writes the install record atomically and reads it back; a corrupt one names the fix', () => {
    const root = tmp();
    expect(readInstallRecord(root)).toBeNull();
    const torch = describeLibtorch(fakeLibtorch({ versionPy: "__version__ = '2.11.0'\n", cxx11: true }), 'python');
    writeInstallRecord(root, { addon: '/x/vsr1.node', kind: 'prebuilt', torch, at: 'now' });
    expect(readInstallRecord(root)?.torch.majorMinor).toBe('2.11');
    writeFileSync(path.join(root, 'build', 'vsr1-install.json'), '{ not json');
    expect(() => readInstallRecord(root)).toThrow(/not valid JSON.*npm rebuild vision-sr1/);
  });

  it('resolves built-in configs from the package, wherever the working directory is', () => {
    const cwd = process.cwd();
    try {
      process.chdir(tmp());
      for (const name of ['world_sft', 'world_sft.yaml', 'configs/world_sft.yaml']) expect(resolveConfigPath(name)).toBe(path.join(path.resolve(import.meta.dirname, '..', '..'), 'configs', 'world_sft.yaml'));
      expect(resolveConfigPath('elsewhere/world_sft.yaml')).toBe('elsewhere/world_sft.yaml');
      writeFileSync('world_sft.yaml', 'data: {}\n');
      expect(resolveConfigPath('world_sft.yaml')).toBe('world_sft.yaml'); // a local file wins
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('the loaded addon', () => {
  it('links libtorch\'s CPU libraries and no CUDA library, and records no search path', () => {
    const bytes = readFileSync(addon.path);
    for (const lib of ['libtorch.so', 'libtorch_cpu.so', 'libc10.so']) expect(bytes.includes(lib), lib).toBe(true);
    for (const lib of ['libtorch_cuda', 'libc10_cuda', 'libcudart', 'libcuda.so']) expect(bytes.includes(lib), lib).toBe(false);
    expect(bytes.includes(addon.torch.libDir), 'the build machine\'s torch path is baked in').toBe(false);
  });
});
