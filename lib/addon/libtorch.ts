/**
 * Finding libtorch and reading what it is (version, CUDA build, C++ ABI) from its files, without
 * loading it: the install step and `vsr1 doctor` must be able to say what is wrong before the
 * addon loads. Search order: LIBTORCH (an unpacked libtorch folder), Torch_DIR (its CMake config
 * folder), the Python torch package (VSR1_PYTHON or python3), then /usr/local/libtorch and
 * /opt/libtorch.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type LibtorchSource = 'LIBTORCH' | 'Torch_DIR' | 'python' | 'system' | 'record';

export interface Libtorch {
  /** The folder holding include/ and lib/ (for the Python package: site-packages/torch). */
  root: string;
  libDir: string;
  /** Full version as the build states it, e.g. 2.11.0+cu130. */
  version: string;
  /** major.minor: the prebuilt addons are made per torch minor version (its C++ API changes). */
  majorMinor: string;
  /** The CUDA version of a CUDA build ('yes' when a libtorch folder does not say), null for CPU-only. */
  cuda: string | null;
  /** Built with the C++11 std::string ABI (_GLIBCXX_USE_CXX11_ABI=1). */
  cxx11abi: boolean;
  source: LibtorchSource;
}

/** Thrown when no libtorch is found; `fix` is the command or setting that fixes it. */
export class LibtorchNotFound extends Error {
  constructor(message: string, readonly fix: string) { super(`${message}\n  fix: ${fix}`); }
}

const libName = (base: string) => (process.platform === 'darwin' ? `${base}.dylib` : `${base}.so`);

/** Reads version, CUDA and ABI of the libtorch at `root`; throws naming what is missing. */
export function describeLibtorch(root: string, source: LibtorchSource): Libtorch {
  const libDir = path.join(root, 'lib');
  for (const need of [path.join(root, 'include', 'torch'), path.join(libDir, libName('libtorch_cpu'))]) {
    if (!existsSync(need)) throw new Error(`${source} libtorch at ${root} is incomplete: ${need} is missing (expected a libtorch folder with include/ and lib/)`);
  }
  const { version, cuda } = readVersion(root);
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`libtorch at ${root}: cannot read a version from "${version}"`);
  return { root, libDir, version, majorMinor: `${m[1]}.${m[2]}`, cuda, cxx11abi: usesCxx11Abi(libDir), source };
}

/** version.py of the Python package, or build-version of a libtorch download. */
function readVersion(root: string): { version: string; cuda: string | null } {
  const py = path.join(root, 'version.py');
  if (existsSync(py)) {
    const text = readFileSync(py, 'utf8');
    const version = /__version__\s*=\s*'([^']+)'/.exec(text)?.[1];
    if (!version) throw new Error(`${py}: no __version__ line`);
    const cuda = /^cuda\s*(?::[^=]*)?=\s*'([^']+)'/m.exec(text)?.[1] ?? null;
    return { version, cuda };
  }
  const bv = path.join(root, 'build-version');
  if (existsSync(bv)) {
    const version = readFileSync(bv, 'utf8').trim();
    const cu = /\+cu(\d+)(\d)$/.exec(version);
    return { version, cuda: cu ? `${cu[1]}.${cu[2]}` : existsSync(path.join(root, 'lib', libName('libtorch_cuda'))) ? 'yes' : null };
  }
  throw new Error(`libtorch at ${root} has neither version.py nor build-version: cannot tell its version`);
}

/**
 * The C++11 ABI shows in libc10's exported names: std::string parameters mangle with B5cxx11
 * only under it. Reading the bytes is enough (no nm, no loading); libc++ builds have one ABI.
 */
function usesCxx11Abi(libDir: string): boolean {
  if (process.platform === 'darwin') return true;
  return readFileSync(path.join(libDir, libName('libc10'))).includes('B5cxx11');
}

/** The Python torch package's folder, or null when that Python has no torch. */
export function pythonTorchRoot(python = process.env.VSR1_PYTHON ?? 'python3'): string | null {
  const r = spawnSync(python, ['-c', 'import os, torch; print(os.path.dirname(torch.__file__))'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0 || !r.stdout) return null;
  return r.stdout.trim().split('\n').pop()!;
}

/** The libtorch to use, by the search order above. `supported` (major.minor list) only shapes the fix message. */
export function findLibtorch(o: { supported?: readonly string[] } = {}): Libtorch {
  if (process.env.LIBTORCH) return describeLibtorch(path.resolve(process.env.LIBTORCH), 'LIBTORCH');
  if (process.env.Torch_DIR) return describeLibtorch(path.resolve(process.env.Torch_DIR, '..', '..', '..'), 'Torch_DIR');
  const py = pythonTorchRoot();
  if (py) return describeLibtorch(py, 'python');
  for (const root of ['/usr/local/libtorch', '/opt/libtorch']) if (existsSync(path.join(root, 'include', 'torch'))) return describeLibtorch(root, 'system');
  const newest = o.supported?.[o.supported.length - 1];
  const python = process.env.VSR1_PYTHON ?? 'python3';
  throw new LibtorchNotFound(
    `libtorch not found: LIBTORCH and Torch_DIR are unset, ${python} has no torch package, and there is no /usr/local/libtorch or /opt/libtorch`,
    `${python} -m pip install ${newest ? `"torch==${newest}.*"` : 'torch'}   (or set LIBTORCH to an unpacked libtorch folder)`,
  );
}
