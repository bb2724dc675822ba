// `npm run prebuild`: the prebuilt addon for this platform and this libtorch. Builds from source
// (as build:native does), then copies the addon to prebuilds/<platform>-<arch>/ under the name
// that carries its tags (lib/addon/prebuilds.ts), and checks the copy loads. The release
// workflow (docs/install.md) runs this once per platform and supported torch version.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mod = (f) => import(pathToFileURL(path.join(root, 'dist', 'lib', 'addon', f)).href);
const { findLibtorch } = await mod('libtorch.js');
const { buildFromSource, checkAddonLoads } = await mod('source_build.js');
const { prebuildPath } = await mod('prebuilds.js');
const { wantedTags } = await mod('locate.js');
const { supportedTorch } = await mod('package_root.js');

try {
  const torch = findLibtorch({ supported: supportedTorch() });
  if (!supportedTorch().includes(torch.majorMinor)) {
    console.error(`[vsr1] note: torch ${torch.majorMinor} is not in package.json vsr1.torch (${supportedTorch().join(', ')}); add it when releasing this prebuild`);
  }
  const built = buildFromSource(root, torch, process.argv.slice(2));
  const dest = prebuildPath(path.join(root, 'prebuilds'), wantedTags(torch));
  mkdirSync(path.dirname(dest), { recursive: true });
  copyFileSync(built, dest);
  const check = checkAddonLoads(root, dest, torch);
  if (!check.ok) throw new Error(check.error);
  console.log(`[vsr1] prebuilt ${path.relative(root, dest)} (torch ${torch.version}, loads)`);
} catch (e) {
  console.error(`[vsr1] ${e.message}`);
  process.exit(1);
}
