// Finds libtorch for the addon build, in the order DESIGN.md fixes:
// LIBTORCH or Torch_DIR env; else the Python torch package (installed with pip when absent
// and VSR1_NO_PIP is unset); a system install is the last resort.
// Prints JSON {root, cmake, cxx11abi, source} when run directly.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const PY = process.env.VSR1_PYTHON ?? 'python3';

function rootFromTorchDir(dir) {
  // Torch_DIR is <root>/share/cmake/Torch
  return path.resolve(dir, '..', '..', '..');
}

// The addon links libtorch directly (headers + libtorch/libtorch_cpu/libc10); libtorch.so pulls
// libtorch_cuda in at run time when the build has it, so the same build runs on CPU and CUDA and
// needs no CUDA toolkit. VSR1_TORCH_CMAKE=1 uses TorchConfig.cmake instead (it looks for nvcc,
// cuDNN and NVTX when libtorch is a CUDA build).
function useTorchConfig() {
  return process.env.VSR1_TORCH_CMAKE === '1';
}

function pythonTorch() {
  const code = 'import torch,os;print(os.path.dirname(torch.__file__));print(int(torch.compiled_with_cxx11_abi()))';
  const r = spawnSync(PY, ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const [root, abi] = r.stdout.trim().split('\n');
  return { root, cxx11abi: abi === '1' };
}

export function findLibtorch() {
  const cmake = useTorchConfig();
  if (process.env.LIBTORCH) {
    const root = path.resolve(process.env.LIBTORCH);
    if (!existsSync(path.join(root, 'include', 'torch'))) throw new Error(`LIBTORCH=${root} has no include/torch folder: expected an unpacked libtorch distribution`);
    return { root, cmake, cxx11abi: true, source: 'LIBTORCH' };
  }
  if (process.env.Torch_DIR) {
    const root = rootFromTorchDir(process.env.Torch_DIR);
    if (!existsSync(path.join(root, 'include', 'torch'))) throw new Error(`Torch_DIR=${process.env.Torch_DIR} does not sit in a libtorch tree (no ${root}/include/torch)`);
    return { root, cmake, cxx11abi: true, source: 'Torch_DIR' };
  }
  let py = pythonTorch();
  if (!py && !process.env.VSR1_NO_PIP) {
    console.error('[vsr1] Python torch not found: installing it with pip (set LIBTORCH to use another libtorch)');
    execFileSync(PY, ['-m', 'pip', 'install', '--quiet', 'torch>=2.4'], { stdio: 'inherit' });
    py = pythonTorch();
  }
  if (py) return { root: py.root, cmake, cxx11abi: py.cxx11abi, source: 'python' };
  for (const root of ['/usr/local/libtorch', '/opt/libtorch']) {
    if (existsSync(path.join(root, 'include', 'torch'))) return { root, cmake, cxx11abi: true, source: 'system' };
  }
  throw new Error('libtorch not found: set LIBTORCH (a libtorch folder) or Torch_DIR, or install the Python torch package (pip install torch)');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(findLibtorch()));
}
