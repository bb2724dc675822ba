// `npm run build:native`: compiles native/ into build/Release/vsr1.node with cmake-js (offline:
// N-API headers come from node-api-headers) against the libtorch lib/addon/libtorch.ts finds,
// checks in a child process that it loads, and records it (build/vsr1-install.json) so every
// later process loads this file against this libtorch without searching again.
// Needs dist/ (the package script runs tsc first). Extra arguments go to cmake-js (e.g. --debug).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mod = (f) => import(pathToFileURL(path.join(root, 'dist', 'lib', 'addon', f)).href);
const { findLibtorch } = await mod('libtorch.js');
const { buildFromSource, checkAddonLoads } = await mod('source_build.js');
const { writeInstallRecord } = await mod('install_record.js');
const { supportedTorch } = await mod('package_root.js');

try {
  const torch = findLibtorch({ supported: supportedTorch() });
  console.error(`[vsr1] libtorch ${torch.version} at ${torch.root} (${torch.source}${torch.cuda ? `, CUDA ${torch.cuda}` : ', CPU only'})`);
  const addon = buildFromSource(root, torch, process.argv.slice(2));
  const check = checkAddonLoads(root, addon, torch);
  if (!check.ok) throw new Error(check.error);
  writeInstallRecord(root, { addon, kind: 'source', torch, at: new Date().toISOString() });
  console.error(`[vsr1] built ${addon} and checked that it loads`);
} catch (e) {
  console.error(`[vsr1] ${e.message}`);
  process.exit(1);
}
