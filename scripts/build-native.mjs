// Builds native/ into build/Release/vsr1.node with cmake-js (offline: napi headers come from
// node-api-headers), against the libtorch that find-libtorch.mjs picks.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { findLibtorch } from './find-libtorch.mjs';

const require = createRequire(import.meta.url);
const lt = findLibtorch();
console.error(`[vsr1] libtorch: ${lt.root} (${lt.source}; ${lt.cmake ? 'TorchConfig.cmake' : 'direct CPU link'})`);
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const args = [cmakeJs, 'compile', '--CDTORCH_ROOT=' + lt.root, '--CDVSR1_TORCH_CMAKE=' + (lt.cmake ? 'ON' : 'OFF'),
  '--CDVSR1_CXX11_ABI=' + (lt.cxx11abi ? 1 : 0), ...process.argv.slice(2)];
if (!process.argv.includes('--debug')) args.push('--config', 'Release');
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, CMAKE_BUILD_PARALLEL_LEVEL: process.env.CMAKE_BUILD_PARALLEL_LEVEL ?? '2' } });
process.exit(r.status ?? 1);
