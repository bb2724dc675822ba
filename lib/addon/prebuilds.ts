/**
 * Prebuilt addons. The layout follows prebuildify's `prebuilds/<platform>-<arch>/` folders; the
 * file name carries the tags that must match for the addon to load against a libtorch:
 *
 *   prebuilds/linux-x64/vsr1.napi.glibc.torch2.11.cxx11.node
 *
 * napi (the addon uses N-API only, so one build serves every Node version >= 20), the C library
 * on Linux (glibc or musl), the torch major.minor its C++ headers came from (libtorch's C++ API
 * changes between minor versions), and the std::string ABI (cxx11 or precxx11). CUDA is not a
 * tag: the addon links libtorch's CPU libraries only, and libtorch.so brings its CUDA part in at
 * load time, so one build serves the CPU and the CUDA wheels of a torch version.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface PrebuildTags {
  platform: string;
  arch: string;
  /** 'glibc' | 'musl' on Linux, null elsewhere. */
  libc: string | null;
  torch: string;
  cxx11abi: boolean;
}

export interface Prebuild extends PrebuildTags { file: string }

/** The C library of this Linux process (Node's report says which glibc it runs on). */
export function currentLibc(): string | null {
  if (process.platform !== 'linux') return null;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

export function prebuildFileName(t: Pick<PrebuildTags, 'libc' | 'torch' | 'cxx11abi'>): string {
  return ['vsr1', 'napi', ...(t.libc ? [t.libc] : []), `torch${t.torch}`, t.cxx11abi ? 'cxx11' : 'precxx11', 'node'].join('.');
}

export function prebuildPath(dir: string, t: PrebuildTags): string {
  return path.join(dir, `${t.platform}-${t.arch}`, prebuildFileName(t));
}

const NAME = /^vsr1\.napi(?:\.(glibc|musl))?\.torch(\d+\.\d+)\.(cxx11|precxx11)\.node$/;

/** Every prebuilt addon under `dir` (prebuilds/), with its tags; unknown files are left out. */
export function listPrebuilds(dir: string): Prebuild[] {
  if (!existsSync(dir)) return [];
  const out: Prebuild[] = [];
  for (const pa of readdirSync(dir)) {
    const m = /^([a-z0-9]+)-([a-z0-9]+)$/.exec(pa);
    if (!m) continue;
    for (const f of readdirSync(path.join(dir, pa))) {
      const n = NAME.exec(f);
      if (n) out.push({ file: path.join(dir, pa, f), platform: m[1], arch: m[2], libc: n[1] ?? null, torch: n[2], cxx11abi: n[3] === 'cxx11' });
    }
  }
  return out;
}

/** The prebuilt addon whose every tag matches `want`, or null. */
export function matchPrebuild(dir: string, want: PrebuildTags): Prebuild | null {
  return listPrebuilds(dir).find((p) => p.platform === want.platform && p.arch === want.arch && p.libc === want.libc && p.torch === want.torch && p.cxx11abi === want.cxx11abi) ?? null;
}

/** Human-readable tags, for messages ("linux-x64 glibc torch 2.11 cxx11"). */
export function describeTags(t: PrebuildTags): string {
  return `${t.platform}-${t.arch}${t.libc ? ` ${t.libc}` : ''} torch ${t.torch} ${t.cxx11abi ? 'cxx11' : 'pre-cxx11'} ABI`;
}
