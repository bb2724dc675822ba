/**
 * The package's install step (`npm install vision-sr1` runs scripts/install.mjs, which calls
 * this): find libtorch, take the prebuilt addon that matches it, else build from source when a
 * toolchain is there, else stop with the command that fixes it. Whatever is chosen must load in
 * a child process before the install record is written; a failed step leaves nothing behind
 * (no record, no half-built build/ folder).
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeInstallRecord, type AddonKind } from './install_record.js';
import { findLibtorch, LibtorchNotFound, type Libtorch } from './libtorch.js';
import { wantedTags } from './locate.js';
import { describeTags, listPrebuilds, matchPrebuild } from './prebuilds.js';
import { buildFromSource, checkAddonLoads, missingToolchain } from './source_build.js';

export interface InstallOutcome { addon: string; kind: AddonKind; torch: Libtorch }

/** An install that cannot finish; `fix` is what the user should run. */
export class InstallError extends Error {
  constructor(message: string, readonly fix: string) { super(message); }
}

export function install(root: string, supported: readonly string[], log: (line: string) => void): InstallOutcome {
  let torch: Libtorch;
  try {
    torch = findLibtorch({ supported });
  } catch (e) {
    if (e instanceof LibtorchNotFound) throw new InstallError(e.message.split('\n')[0], e.fix);
    throw e;
  }
  log(`libtorch ${torch.version} at ${torch.root} (${torch.source}${torch.cuda ? `, CUDA ${torch.cuda}` : ', CPU only'})`);
  const tags = wantedTags(torch);
  const pre = matchPrebuild(path.join(root, 'prebuilds'), tags);
  if (pre) {
    const check = checkAddonLoads(root, pre.file, torch);
    if (check.ok) return record(root, pre.file, 'prebuilt', torch, log);
    log(`the prebuilt addon ${pre.file} does not load: ${check.error}; trying a source build`);
  } else {
    const have = listPrebuilds(path.join(root, 'prebuilds')).map((p) => describeTags(p)).join('; ') || 'none';
    log(`no prebuilt addon for ${describeTags(tags)} (prebuilt: ${have}); trying a source build`);
  }
  const missing = missingToolchain();
  if (missing.length) {
    const pins = supported.map((v) => `"torch==${v}.*"`).join(' or ');
    throw new InstallError(
      `no prebuilt addon matches ${describeTags(tags)}, and a source build needs ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not on PATH`,
      `install a torch with a prebuild (${pins || 'see docs/install.md'}: python3 -m pip install ${supported.length ? `"torch==${supported[supported.length - 1]}.*"` : 'torch'}), or install the toolchain (apt-get install -y cmake g++ make), then run \`npm rebuild vision-sr1\``,
    );
  }
  const buildDir = path.join(root, 'build');
  const hadBuild = existsSync(buildDir);
  try {
    const built = buildFromSource(root, torch);
    const check = checkAddonLoads(root, built, torch);
    if (!check.ok) throw new Error(check.error);
    return record(root, built, 'source', torch, log);
  } catch (e) {
    if (!hadBuild) rmSync(buildDir, { recursive: true, force: true });
    throw new InstallError(`the source build did not give a working addon: ${(e as Error).message}`, 'read the build output above; docs/install.md lists what a source build needs');
  }
}

function record(root: string, addon: string, kind: AddonKind, torch: Libtorch, log: (line: string) => void): InstallOutcome {
  writeInstallRecord(root, { addon, kind, torch, at: new Date().toISOString() });
  log(`using the ${kind === 'prebuilt' ? 'prebuilt' : 'source-built'} addon ${addon}`);
  return { addon, kind, torch };
}
