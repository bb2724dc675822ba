// npm's install step for vision-sr1 (lib/addon/install.ts): a prebuilt addon matching the
// libtorch found, else a source build, else a message with the fix and exit code 1.
// In a development checkout (a .git folder) it does nothing: `npm run build` builds there.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(path.join(root, '.git')) && !process.env.VSR1_INSTALL_IN_CHECKOUT) {
  console.error('[vsr1] development checkout: the addon is built by `npm run build` (scripts/setup.sh)');
  process.exit(0);
}
const mod = (f) => import(pathToFileURL(path.join(root, 'dist', 'lib', 'addon', f)).href);
const { install, InstallError } = await mod('install.js');
const { supportedTorch } = await mod('package_root.js');
try {
  install(root, supportedTorch(), (line) => console.error(`[vsr1] ${line}`));
} catch (e) {
  if (e instanceof InstallError) {
    console.error(`\n[vsr1] install failed: ${e.message}\n[vsr1] fix: ${e.fix}\n`);
  } else {
    console.error(`\n[vsr1] install failed: ${e.stack ?? e}\n`);
  }
  process.exit(1);
}
