/**
 * Part 5 of the GPU check: the process group at world size 1 on `device` (NCCL for a CUDA
 * device when this addon has it, else Gloo), an all-reduce and a broadcast of a device tensor,
 * timed. Several GPUs are needed for anything a world of one cannot show.
 */
import { torch } from '../lib/index.js';
import { freePort } from '../lib/distributed/launcher.js';
import { availableBackends, ProcessGroup } from '../lib/distributed/process_group.js';
import { native } from '../lib/native.js';

export async function worldOfOne(device: string): Promise<Record<string, unknown>> {
  const backends = availableBackends();
  const backend = device.startsWith('cuda') && backends.includes('nccl') ? 'nccl' : 'gloo';
  const port = await freePort('127.0.0.1');
  const t0 = performance.now();
  const g = ProcessGroup.start(
    { rank: 0, worldSize: 1, localRank: 0, localWorldSize: 1, masterAddr: '127.0.0.1', masterPort: port, agentStore: false, storePrefix: 'gpu-check' },
    { backend, device, timeoutS: 60, heartbeatTimeoutS: 0 },
  );
  const initS = (performance.now() - t0) / 1000;
  try {
    const onDevice = backend === 'nccl' ? device : 'cpu';
    return torch.scope(() => {
      const x = torch.ones([1 << 20], { dtype: 'float32', device: onDevice });
      const t1 = performance.now();
      native.distAllreduce([x.handle], 'sum', 'gpu check');
      native.distBroadcast([x.handle], 0, 'gpu check');
      if (onDevice !== 'cpu') torch.cuda.synchronize();
      const ok = x.sum().item() === 1 << 20; // a world of one: the sum is the tensor itself
      return { backend, backends, initS, allreduceAndBroadcastS: (performance.now() - t1) / 1000, valuesUnchanged: ok, bytes: g.bytesCommunicated() };
    });
  } finally {
    g.close();
  }
}
