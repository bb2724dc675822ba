// Child process of the install step's load check (lib/addon/source_build.ts checkAddonLoads):
// loads the addon named by VSR1_ADDON against LIBTORCH and prints what it was compiled for as
// one JSON line, plus 1 + 1 computed by libtorch.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { native } = await import(pathToFileURL(path.join(root, 'dist', 'lib', 'native.js')).href);
const torch = await import(pathToFileURL(path.join(root, 'dist', 'lib', 'torch', 'index.js')).href);
const info = native.buildInfo();
const one = torch.tensor(new Float32Array([1]));
const two = one.add(one);
const sum = two.item();
console.log(JSON.stringify({ torchVersion: info.torchVersion, cxx11abi: info.cxx11abi, sum }));
