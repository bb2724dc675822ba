/**
 * `vsr1 doctor`: what this installation runs on. libtorch (path, version, CUDA build or not),
 * the addon in use (prebuilt or source-built, its path, the torch it was compiled for), devices,
 * BLAS and threads, and the distributed backends libtorch was built with. Exit code 1 with the
 * fix on any mismatch; the addon is loaded only after the checks that can run without it.
 */
import type { Command } from 'commander';
import { locateAddon, wantedTags, type AddonChoice } from '../addon/locate.js';
import { supportedTorch } from '../addon/package_root.js';
import { describeTags } from '../addon/prebuilds.js';

interface Problem { what: string; fix: string }

/** One "key: value" line per fact, problems at the end; returns the exit code. */
export async function doctor(print: (line: string) => void = console.log): Promise<number> {
  const problems: Problem[] = [];
  const line = (k: string, v: string) => print(`${k.padEnd(14)} ${v}`);
  line('node', `${process.version} (${process.platform}-${process.arch}, N-API ${process.versions.napi})`);
  let choice: AddonChoice;
  try {
    choice = locateAddon();
  } catch (e) {
    print(`addon          not usable: ${(e as Error).message}`);
    print(`\nproblem: the addon or libtorch cannot be located\n  fix: ${fixOf(e as Error)}`);
    return 1;
  }
  const t = choice.torch;
  line('libtorch', `${t.version} at ${t.root} (found via ${t.source})`);
  line('  build', `${t.cuda ? `CUDA ${t.cuda}` : 'CPU only'}, ${t.cxx11abi ? 'cxx11' : 'pre-cxx11'} ABI; prebuild tags wanted: ${describeTags(wantedTags(t))}`);
  const supported = supportedTorch();
  if (!supported.includes(t.majorMinor)) {
    problems.push({ what: `torch ${t.majorMinor} has no prebuilt addon in this package (prebuilt for ${supported.join(', ')}); a source build works while cmake and g++ are there`, fix: `python3 -m pip install "torch==${supported[supported.length - 1]}.*" && npm rebuild vision-sr1` });
  }
  line('addon', `${choice.path} (${choice.kind === 'prebuilt' ? 'prebuilt' : choice.kind === 'source' ? 'built from source' : 'VSR1_ADDON'})`);
  let torch: typeof import('../torch/index.js');
  try {
    torch = await import('../torch/index.js');
  } catch (e) {
    print(`\nproblem: the addon does not load: ${(e as Error).message}\n  fix: npm rebuild vision-sr1`);
    return 1;
  }
  const info = torch.buildInfo();
  line('  compiled', `against torch ${info.torchVersion}, ${info.cxx11abi ? 'cxx11' : 'pre-cxx11'} ABI, N-API ${info.napiVersion}`);
  if (!info.torchVersion.startsWith(`${t.majorMinor}.`)) problems.push({ what: `the addon was compiled against torch ${info.torchVersion} but runs on ${t.version}`, fix: 'npm rebuild vision-sr1' });
  if (info.cxx11abi !== t.cxx11abi) problems.push({ what: 'the addon and libtorch use different C++ ABIs', fix: 'npm rebuild vision-sr1' });
  const cudaCount = torch.cuda.isAvailable() ? torch.cuda.deviceCount() : 0;
  line('devices', ['cpu', ...Array.from({ length: cudaCount }, (_, i) => `cuda:${i}`)].join(', '));
  if (t.cuda && cudaCount === 0) line('  note', 'a CUDA build of libtorch, but no CUDA device is visible (driver, CUDA_VISIBLE_DEVICES)');
  const settings = buildSettings(info.config);
  line('BLAS', `${settings.BLAS_INFO ?? 'unknown'} (LAPACK ${settings.LAPACK_INFO ?? 'unknown'})`);
  line('threads', `${torch.getNumThreads()} intra-op (${/ATen parallel backend: (\S+)/.exec(info.parallel)?.[1] ?? 'unknown'} backend), OMP_NUM_THREADS=${process.env.OMP_NUM_THREADS ?? 'unset'}, OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY ?? 'unset'}`);
  const backends = [['gloo', settings.USE_GLOO], ['nccl', settings.USE_NCCL], ['mpi', settings.USE_MPI]].filter(([, v]) => v === 'ON' || v === '1').map(([k]) => k);
  const ours = (await import('../native.js')).native.distBackends();
  line('distributed', `libtorch built with: ${backends.join(', ') || 'none'}; this addon runs: ${ours.join(', ') || 'single process only (built without the gloo headers: apt-get install libgloo-dev && npm rebuild vision-sr1)'}`);
  if (!problems.length) { print('\nok: no problems found'); return 0; }
  for (const p of problems) print(`\nproblem: ${p.what}\n  fix: ${p.fix}`);
  return 1;
}

/** KEY=VALUE pairs of at::show_config's "Build settings" line. */
function buildSettings(config: string): Record<string, string> {
  const m = /Build settings: (.*)/.exec(config);
  return Object.fromEntries((m?.[1] ?? '').split(/,\s*/).map((kv) => kv.split('=')).filter((kv) => kv.length >= 2).map(([k, ...v]) => [k.trim(), v.join('=').trim()]));
}

function fixOf(e: Error): string {
  const f = (e as Error & { fix?: string }).fix;
  return f ?? (/npm rebuild|build:native/.test(e.message) ? 'npm rebuild vision-sr1' : 'see docs/install.md');
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check the installation: libtorch, the addon in use, devices, BLAS and threads, distributed backends (exit 1 with a fix on a mismatch)')
    .action(async () => { process.exitCode = await doctor(); });
}
