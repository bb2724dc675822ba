/**
 * Loads libtorch's libraries into the process before the addon, by absolute path. The addon
 * records only their names (libtorch.so, libtorch_cpu.so, libc10.so) and no search path, so that
 * one file works wherever the user's torch is installed: the dynamic linker finds a needed
 * library that is already loaded by its name. Node can only dlopen through process.dlopen, which
 * rejects a library that is not an addon ("did not self-register") and closes it again; asking
 * for RTLD_NODELETE keeps it loaded, which is all that is needed here.
 */
import os from 'node:os';
import path from 'node:path';

/** RTLD_NODELETE is not in os.constants.dlopen; its value per platform (glibc/musl, macOS). */
const RTLD_NODELETE = process.platform === 'darwin' ? 0x80 : 0x1000;
const LIBS = ['libc10', 'libtorch_cpu', 'libtorch'];

export function preloadLibtorch(libDir: string): void {
  const ext = process.platform === 'darwin' ? '.dylib' : '.so';
  const flags = os.constants.dlopen.RTLD_NOW | os.constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE;
  for (const lib of LIBS) {
    const file = path.join(libDir, lib + ext);
    try {
      process.dlopen({ exports: {} } as NodeJS.Module, file, flags);
    } catch (e) {
      const msg = (e as Error).message;
      if (!/did not self-register/.test(msg)) throw new Error(`cannot load ${file} (libtorch): ${msg}`);
    }
  }
}
