/**
 * Which addon file this process loads, and against which libtorch:
 * 1. VSR1_ADDON (a .node file; libtorch from the install record or found afresh);
 * 2. the install record (build/vsr1-install.json: what `npm install` or `npm run build:native` chose);
 * 3. with no record: a prebuild matching the libtorch found now, else build/Release/vsr1.node.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readInstallRecord, type AddonKind } from './install_record.js';
import { describeLibtorch, findLibtorch, type Libtorch } from './libtorch.js';
import { packageRoot, supportedTorch } from './package_root.js';
import { currentLibc, matchPrebuild, describeTags, type PrebuildTags } from './prebuilds.js';

export interface AddonChoice { path: string; kind: AddonKind | 'VSR1_ADDON'; torch: Libtorch }

export function wantedTags(t: Libtorch): PrebuildTags {
  return { platform: process.platform, arch: process.arch, libc: currentLibc(), torch: t.majorMinor, cxx11abi: t.cxx11abi };
}

const rebuildFix = 'run `npm rebuild vision-sr1` (in a checkout: `npm run build:native`)';

export function locateAddon(root = packageRoot()): AddonChoice {
  const record = readInstallRecord(root);
  // The libtorch the record names, read again (it may have been upgraded since), keeping how it was found.
  const recordTorch = () => (record && existsSync(record.torch.libDir) ? { ...describeLibtorch(record.torch.root, 'record'), source: record.torch.source as Libtorch['source'] } : null);
  if (process.env.VSR1_ADDON) {
    const p = path.resolve(process.env.VSR1_ADDON);
    if (!existsSync(p)) throw new Error(`VSR1_ADDON=${p}: no such file`);
    return { path: p, kind: 'VSR1_ADDON', torch: recordTorch() ?? findLibtorch({ supported: supportedTorch() }) };
  }
  if (record) {
    if (!existsSync(record.addon)) throw new Error(`the install record names ${record.addon}, which is gone: ${rebuildFix}`);
    const torch = recordTorch();
    if (!torch) throw new Error(`the addon was installed against libtorch at ${record.torch.root}, which is gone: ${rebuildFix}`);
    if (torch.majorMinor !== record.torch.majorMinor) {
      throw new Error(`the addon was installed against torch ${record.torch.version}, but ${torch.root} now holds torch ${torch.version}: ${rebuildFix}`);
    }
    return { path: record.addon, kind: record.kind, torch };
  }
  const torch = findLibtorch({ supported: supportedTorch() });
  const pre = matchPrebuild(path.join(root, 'prebuilds'), wantedTags(torch));
  if (pre) return { path: pre.file, kind: 'prebuilt', torch };
  const built = path.join(root, 'build', 'Release', 'vsr1.node');
  if (existsSync(built)) return { path: built, kind: 'source', torch };
  throw new Error(`vision-sr1 native addon not found: no prebuild for ${describeTags(wantedTags(torch))} in ${path.join(root, 'prebuilds')} and no ${built}: ${rebuildFix}`);
}
