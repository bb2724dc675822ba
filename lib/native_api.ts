/**
 * The TypeScript declaration of the compiled addon's surface: one member of `NativeApi` per
 * function native/binding/*.cpp registers with `define(...)` (docs/layout.md, "The native surface").
 *
 * Conventions of the C++ side that the types encode:
 * - tensors cross as numeric handles into the addon's handle table (`Handle`); models,
 *   optimizers and generators as indices into their own tables;
 * - an argument the C++ reads with `optT`/`optNum`/`optI64`/`isNullish` may be null or left out;
 *   a boolean read with `flag` is false when left out;
 * - a shape or dims argument (`ints`) is one integer or an array of integers;
 * - binary ops take a handle as their second operand unless a trailing `...IsScalar` flag is true
 *   (handles are numbers too, so the caller says which it passes);
 * - functions are synchronous. The six that return a Promise are the ones named `...Async`
 *   (their work runs on the addon's one task thread, native/binding/async_task.h) and
 *   `qwenGenerate` (a Napi::AsyncWorker on libuv's pool). Every Promise settles on the JS thread.
 *
 * This file imports nothing: it is floor 0, under lib/native.ts and lib/torch/.
 */

/** A tensor: its index in the addon's handle table (native/core/handle_table.h). */
export type Handle = number;
/** A c10::ScalarType code (lib/torch/dtype.ts DTYPE_CODE). */
export type DTypeCode = number;
/** A libtorch device string: 'cpu', 'cuda', 'cuda:N', 'meta', 'lazy'. */
export type DeviceName = string;
/** Index of a generator in the addon's generator table. */
export type GeneratorIndex = number;
/** Index of an AdamW optimizer in the addon's optimizer table. */
export type OptimizerIndex = number;
/** Index of a Qwen2.5-VL model in the addon's model table. */
export type ModelIndex = number;
/** A JS scalar operand: booleans stay bool, integral numbers int64, others double. */
export type Scalar = number | boolean;
/** A tensor handle, or a scalar when the op's `...IsScalar` flag says so. */
export type HandleOrScalar = Handle | Scalar;
/** One integer or a list of them (shapes, dims, strides). */
export type Ints = number | readonly number[];
/** A TypedArray whose bytes fromBuffer copies. */
export type NativeTypedArray =
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array | Int32Array | Uint32Array
  | Int16Array | Uint16Array | Int8Array | Uint8Array | Uint8ClampedArray;
/** cross_entropy's reduction: 0 none, 1 mean, 2 sum. */
export type CrossEntropyReduction = 0 | 1 | 2;
/** [logProbs, entropy] handles of the scoring functions; entropy only when asked for. */
export type ScoredHandles = [logProbs: Handle, entropy?: Handle];

/** Counts of the handle table. */
export interface NativeMemoryStats { liveTensors: number; trackedCpuBytes: number; scopeDepth: number }
/** Bytes of CPU tensor storage, now and at most since the last reset. */
export interface NativeCpuMemoryStats { allocated: number; peak: number }
/** The accelerator's caching-allocator statistics, in bytes. */
export interface NativeDeviceMemoryStats {
  allocated: number; reserved: number; active: number; peakAllocated: number; peakReserved: number;
  numAllocRetries: number; numOoms: number; free: number; total: number;
}
/** What the addon was compiled against and libtorch's build and thread settings. */
export interface NativeBuildInfo { torchVersion: string; cxx11abi: boolean; napiVersion: number; config: string; parallel: string }

/** distInit's options (native/core/distributed/group.h GroupOptions). */
export interface DistInitOptions {
  backend: 'gloo' | 'nccl';
  rank: number;
  worldSize: number;
  masterAddr: string;
  masterPort: number;
  /** Rank 0 hosts the TCPStore unless a launcher's agent already does (torchrun). */
  hostStore: boolean;
  storePrefix: string;
  timeoutMs: number;
  /** A peer silent this long ends the process (0 = no watchdog). */
  heartbeatTimeoutMs: number;
}

/** One parameter group of adamwNew (every field required). */
export interface AdamWGroupSpec { params: readonly Handle[]; lr: number; beta1: number; beta2: number; eps: number; weightDecay: number }
/** Fields of adamwSetGroup: a key that is present must hold a number. */
export interface AdamWGroupUpdate { lr?: number; weightDecay?: number; beta1?: number; beta2?: number; eps?: number }
/** An optimizer's state by parameter; handles share memory with it, null where none exists yet. */
export interface AdamWState { steps: number[]; expAvg: (Handle | null)[]; expAvgSq: (Handle | null)[]; master: (Handle | null)[] }

/** One tensor of a safetensors data section: [dtype, shape, begin, end) in bytes from dataStart. */
export type SafetensorsSpan = readonly [dtype: DTypeCode, shape: readonly number[], begin: number, end: number];

/** The architecture numbers qwenNew reads (extra fields are ignored). */
export interface QwenModelSpec {
  vision: {
    depth: number; hiddenSize: number; intermediateSize: number; numHeads: number; inChannels: number; patchSize: number;
    temporalPatchSize: number; spatialMergeSize: number; windowSize: number; outHiddenSize: number; ropeTheta: number;
    fullattBlockIndexes: readonly number[];
  };
  text: {
    vocabSize: number; hiddenSize: number; intermediateSize: number; numLayers: number; numHeads: number; numKvHeads: number;
    rmsNormEps: number; ropeTheta: number; mropeSection: readonly number[]; tieWordEmbeddings: boolean;
  };
  imageTokenId: number;
}
/** The inputs of a forward pass; with cuSeqlens, inputIds [1, T] holds the sequences back to back. */
export interface QwenInputs {
  inputIds: Handle;
  attentionMask?: Handle | null;
  positionIds?: Handle | null;
  pixelValues?: Handle | null;
  /** One [t, h, w] per image; required with pixelValues. */
  grids?: readonly (readonly number[])[] | null;
  cuSeqlens?: readonly number[] | null;
  /** Packed only: per sequence, the earlier one it reads as a shared prefix (-1 for none). */
  segmentPrefix?: readonly number[] | null;
  imageSources?: readonly number[] | null;
}
/** The sampling step's settings (qwenSample, and part of qwenGenerate's). */
export interface QwenSamplingParams {
  temperature: number; topP: number; topK: number; greedy: boolean;
  logitBias: readonly (readonly [tokenId: number, bias: number])[];
}
/** qwenGenerate's settings. */
export interface QwenGenerateParams extends QwenSamplingParams {
  n: number; maxNewTokens: number; stopTokenIds: readonly number[]; padTokenId: number; seed: number;
  /** Id of the first sequence: sampling noise is keyed by (seed, sequence id, step). Default 0. */
  firstSequenceId?: number;
  /** Drop stopped rows from the batch as they accumulate. Default true. */
  compactFinished?: boolean;
  /** Continuous batching: decode slots (0 = every row at once). Default 0. */
  maxRows?: number;
}
/** Handles of qwenGenerate's result: tokens and logProbs [B*n, T], lengths [B*n]. */
export interface QwenGenerateResult {
  tokens: Handle; logProbs: Handle; lengths: Handle; decodedRows: number;
  /** Continuous batching: prompt keys/values copied into decode slots (bytes; seconds on a CPU, else -1). */
  promptCopyBytes: number; promptCopySeconds: number;
}

/** Every function of the compiled addon. */
export interface NativeApi {
  // ---- creation, readback, metadata, lifetime (creation.cpp) ----
  /** Copies a TypedArray's bytes (of srcDtype, `shape`) into a new tensor cast to dstDtype on `device`. [sync] */
  fromBuffer(data: NativeTypedArray, srcDtype: DTypeCode, shape: Ints, dstDtype: DTypeCode, device?: DeviceName | null): Handle;
  /** A CPU copy of the data and its dtype code (half types come back as float32). [sync] */
  toBuffer(h: Handle): [data: ArrayBuffer, dtype: DTypeCode];
  /** The value of a one-element tensor (bool tensors give a boolean). [sync] */
  item(h: Handle): number | boolean;
  /** The tensor's sizes. [sync] */
  shape(h: Handle): number[];
  /** The tensor's dtype code. [sync] */
  dtypeOf(h: Handle): DTypeCode;
  /** The tensor's device string. [sync] */
  deviceOf(h: Handle): DeviceName;
  /** Number of elements. [sync] */
  numel(h: Handle): number;
  /** Number of dimensions. [sync] */
  dim(h: Handle): number;
  /** Whether the tensor is contiguous in memory. [sync] */
  isContiguous(h: Handle): boolean;
  /** Frees the handle; false when it was already freed. [sync] */
  dispose(h: Handle): boolean;
  /** Whether the handle is still in the table. [sync] */
  alive(h: Handle): boolean;
  /** Opens a handle scope. [sync] */
  scopeEnter(): void;
  /** Closes the innermost scope, freeing its handles except `keep`. [sync] */
  scopeExit(keep?: readonly Handle[]): void;
  /** Live handles, tracked CPU bytes and scope depth. [sync] */
  memoryStats(): NativeMemoryStats;
  /** torch.zeros. [sync] */
  zeros(shape: Ints, dtype: DTypeCode, device?: DeviceName | null): Handle;
  /** torch.ones. [sync] */
  ones(shape: Ints, dtype: DTypeCode, device?: DeviceName | null): Handle;
  /** torch.empty. [sync] */
  empty(shape: Ints, dtype: DTypeCode, device?: DeviceName | null): Handle;
  /** torch.full. [sync] */
  full(shape: Ints, value: Scalar, dtype: DTypeCode, device?: DeviceName | null): Handle;
  /** torch.arange(start, end, step). [sync] */
  arange(start: number, end: number, step: number, dtype: DTypeCode, device?: DeviceName | null): Handle;
  /** torch.linspace. [sync] */
  linspace(start: number, end: number, steps: number, dtype: DTypeCode, device?: DeviceName | null): Handle;
  /** torch.eye(n). [sync] */
  eye(n: number, dtype: DTypeCode, device?: DeviceName | null): Handle;
  /** Standard normal samples, from `generator` or the default one. [sync] */
  randn(shape: Ints, dtype: DTypeCode, device?: DeviceName | null, generator?: GeneratorIndex | null): Handle;
  /** Uniform [0, 1) samples. [sync] */
  rand(shape: Ints, dtype: DTypeCode, device?: DeviceName | null, generator?: GeneratorIndex | null): Handle;
  /** Integers uniform in [low, high). [sync] */
  randint(low: number, high: number, shape: Ints, dtype: DTypeCode, device?: DeviceName | null, generator?: GeneratorIndex | null): Handle;
  /** A random permutation of 0..n-1. [sync] */
  randperm(n: number, dtype: DTypeCode, device?: DeviceName | null, generator?: GeneratorIndex | null): Handle;
  /** torch.zeros_like. [sync] */
  zerosLike(h: Handle): Handle;
  /** torch.ones_like. [sync] */
  onesLike(h: Handle): Handle;
  /** torch.full_like. [sync] */
  fullLike(h: Handle, value: Scalar): Handle;
  /** torch.randn_like (default generator). [sync] */
  randnLike(h: Handle): Handle;
  /** Seeds the default CPU (and CUDA) generators, like torch.manual_seed. [sync] */
  manualSeed(seed: number): void;
  /** A new generator seeded with `seed` on `device`; returns its index. [sync] */
  generatorNew(seed: number, device?: DeviceName | null): GeneratorIndex;
  /** The generator's state as a uint8 tensor. [sync] */
  generatorGetState(generator: GeneratorIndex): Handle;
  /** Restores a generator's state. [sync] */
  generatorSetState(generator: GeneratorIndex, state: Handle): void;
  /** The index of the default CPU generator (registered on first call). [sync] */
  defaultGenerator(): GeneratorIndex;
  /** Whether CUDA is usable. [sync] */
  cudaIsAvailable(): boolean;
  /** Registers libtorch's lazy-tensor backend so 'lazy' is a device (once). [sync] */
  lazyDeviceInit(): void;
  /** Number of CUDA devices. [sync] */
  cudaDeviceCount(): number;
  /** Waits for the device's (or all) queued kernels; no-op without CUDA. [sync] */
  cudaSynchronize(device?: number | null): void;
  /** Sets libtorch's intra-op thread count. [sync] */
  setNumThreads(n: number): void;
  /** Switches oneDNN weight packing of CPU inference matmuls on or off (on by default). [sync] */
  setWeightPacking(on: boolean): void;
  /** Whether weight packing is switched on, and whether it is in use (on, and this libtorch has oneDNN's linear ops). [sync] */
  weightPacking(): { enabled: boolean; available: boolean };
  /** Accelerator allocator statistics of device `index` (default 0), or null without one. [sync] */
  deviceMemoryStats(index?: number | null): NativeDeviceMemoryStats | null;
  /** CPU tensor bytes now and at peak. [sync] */
  cpuMemoryStats(): NativeCpuMemoryStats;
  /** Resets the CPU peak to the current bytes. [sync] */
  cpuResetPeak(): void;
  /** Resets the accelerator's peak statistics of device `index` (default 0). [sync] */
  deviceResetPeakStats(index?: number | null): void;
  /** Returns the accelerator's cached unused blocks to the driver. [sync] */
  deviceEmptyCache(): void;
  /** libtorch's intra-op thread count. [sync] */
  getNumThreads(): number;
  /** Torch headers, C++ ABI, N-API version, libtorch config and parallel info. [sync] */
  buildInfo(): NativeBuildInfo;

  // ---- views, shape ops, indexing, casts (shape_ops.cpp) ----
  /** Tensor.reshape. [sync] */
  reshape(h: Handle, shape: Ints): Handle;
  /** Tensor.view. [sync] */
  view(h: Handle, shape: Ints): Handle;
  /** Tensor.permute. [sync] */
  permute(h: Handle, dims: Ints): Handle;
  /** Tensor.transpose(dim0, dim1). [sync] */
  transpose(h: Handle, dim0: number, dim1: number): Handle;
  /** Tensor.contiguous. [sync] */
  contiguous(h: Handle): Handle;
  /** Tensor.clone. [sync] */
  clone(h: Handle): Handle;
  /** torch.cat along `dim`. [sync] */
  cat(hs: readonly Handle[], dim: number): Handle;
  /** torch.stack along `dim`. [sync] */
  stack(hs: readonly Handle[], dim: number): Handle;
  /** Tensor.split: a number gives equal chunks, an array those sizes. [sync] */
  split(h: Handle, sizeOrSizes: number | readonly number[], dim: number): Handle[];
  /** Tensor.chunk. [sync] */
  chunk(h: Handle, chunks: number, dim: number): Handle[];
  /** Tensor.unbind. [sync] */
  unbind(h: Handle, dim: number): Handle[];
  /** Tensor.narrow. [sync] */
  narrow(h: Handle, dim: number, start: number, length: number): Handle;
  /** t[start:end:step] along `dim`; null start/end run to the edges, step defaults to 1. [sync] */
  slice(h: Handle, dim: number, start?: number | null, end?: number | null, step?: number | null): Handle;
  /** Tensor.select(dim, index). [sync] */
  select(h: Handle, dim: number, index: number): Handle;
  /** Tensor.unsqueeze. [sync] */
  unsqueeze(h: Handle, dim: number): Handle;
  /** Tensor.squeeze (every size-1 dim when `dim` is null). [sync] */
  squeeze(h: Handle, dim?: number | null): Handle;
  /** Tensor.expand. [sync] */
  expand(h: Handle, shape: Ints): Handle;
  /** Tensor.expand_as. [sync] */
  expandAs(h: Handle, other: Handle): Handle;
  /** Tensor.repeat. [sync] */
  repeat(h: Handle, repeats: Ints): Handle;
  /** Tensor.repeat_interleave (flattened when `dim` is null). [sync] */
  repeatInterleave(h: Handle, repeats: number, dim?: number | null): Handle;
  /** Tensor.flatten(startDim, endDim). [sync] */
  flatten(h: Handle, startDim: number, endDim: number): Handle;
  /** Tensor.flip. [sync] */
  flip(h: Handle, dims: Ints): Handle;
  /** Tensor.roll. [sync] */
  roll(h: Handle, shifts: Ints, dims: Ints): Handle;
  /** Tensor.tril(diagonal). [sync] */
  tril(h: Handle, diagonal: number): Handle;
  /** Tensor.triu(diagonal). [sync] */
  triu(h: Handle, diagonal: number): Handle;
  /** Constant padding, pairs from the last dim backwards. [sync] */
  pad(h: Handle, pads: Ints, value: Scalar): Handle;
  /** Tensor.index_select. [sync] */
  indexSelect(h: Handle, dim: number, index: Handle): Handle;
  /** Tensor.gather. [sync] */
  gather(h: Handle, dim: number, index: Handle): Handle;
  /** Tensor.scatter with a source tensor. [sync] */
  scatter(h: Handle, dim: number, index: Handle, src: Handle): Handle;
  /** Tensor.scatter with a scalar value. [sync] */
  scatterValue(h: Handle, dim: number, index: Handle, value: Scalar): Handle;
  /** Tensor.scatter_add. [sync] */
  scatterAdd(h: Handle, dim: number, index: Handle, src: Handle): Handle;
  /** Tensor.masked_fill with a tensor value, or a scalar when valueIsScalar. [sync] */
  maskedFill(h: Handle, mask: Handle, value: HandleOrScalar, valueIsScalar?: boolean): Handle;
  /** Tensor.masked_select. [sync] */
  maskedSelect(h: Handle, mask: Handle): Handle;
  /** torch.where(cond, a, b); a and b are scalars where their flags say so. [sync] */
  where(cond: Handle, a: HandleOrScalar, b: HandleOrScalar, aIsScalar?: boolean, bIsScalar?: boolean): Handle;
  /** Tensor.nonzero. [sync] */
  nonzero(h: Handle): Handle;
  /** Advanced indexing: one index tensor or null (`:`) per leading dim. [sync] */
  index(h: Handle, indices: readonly (Handle | null)[]): Handle;
  /** Out-of-place index_put. [sync] */
  indexPut(h: Handle, indices: readonly (Handle | null)[], values: Handle, accumulate?: boolean): Handle;
  /** torch.nn.functional.one_hot (-1: inferred class count). [sync] */
  oneHot(h: Handle, numClasses: number): Handle;
  /** Tensor.to; a null dtype or device keeps the tensor's own. [sync] */
  to(h: Handle, dtype?: DTypeCode | null, device?: DeviceName | null, nonBlocking?: boolean): Handle;

  // ---- elementwise math, comparisons, reductions, in place (math_ops.cpp) ----
  /** a + b. [sync] */
  add(a: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** a - b. [sync] */
  sub(a: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** a * b. [sync] */
  mul(a: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** a / b (true division). [sync] */
  div(a: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** a ** b. [sync] */
  pow(a: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** Python's a % b (sign of b). [sync] */
  remainder(a: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** C's fmod (sign of a). [sync] */
  fmod(a: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** a == b. [sync] */
  eq(a: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** a != b. [sync] */
  ne(a: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** a < b. [sync] */
  lt(a: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** a <= b. [sync] */
  le(a: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** a > b. [sync] */
  gt(a: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** a >= b. [sync] */
  ge(a: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** torch.maximum. [sync] */
  maximum(a: Handle, b: Handle): Handle;
  /** torch.minimum. [sync] */
  minimum(a: Handle, b: Handle): Handle;
  /** torch.logical_and. [sync] */
  logicalAnd(a: Handle, b: Handle): Handle;
  /** torch.logical_or. [sync] */
  logicalOr(a: Handle, b: Handle): Handle;
  /** torch.logical_xor. [sync] */
  logicalXor(a: Handle, b: Handle): Handle;
  /** torch.atan2(a, b). [sync] */
  atan2(a: Handle, b: Handle): Handle;
  /** Floor division a // b. [sync] */
  divFloor(a: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** base ** h for a scalar base. [sync] */
  rpow(h: Handle, base: Scalar): Handle;
  /** s - h for a scalar s. [sync] */
  rsub(h: Handle, s: Scalar): Handle;
  /** s / h for a scalar s. [sync] */
  rdiv(h: Handle, s: Scalar): Handle;
  /** torch.allclose. [sync] */
  allclose(a: Handle, b: Handle, rtol: number, atol: number): boolean;
  /** torch.equal (same shape and values). [sync] */
  equal(a: Handle, b: Handle): boolean;
  /** h + value * t1 * t2. [sync] */
  addcmul(h: Handle, t1: Handle, t2: Handle, value: Scalar): Handle;
  /** torch.lerp(a, end, weight); weight is a scalar when weightIsScalar. [sync] */
  lerp(a: Handle, end: Handle, weight: HandleOrScalar, weightIsScalar?: boolean): Handle;
  /** -h. [sync] */
  neg(h: Handle): Handle;
  /** exp. [sync] */
  exp(h: Handle): Handle;
  /** Natural log. [sync] */
  log(h: Handle): Handle;
  /** Base-2 log. [sync] */
  log2(h: Handle): Handle;
  /** log(1 + h). [sync] */
  log1p(h: Handle): Handle;
  /** exp(h) - 1. [sync] */
  expm1(h: Handle): Handle;
  /** Square root. [sync] */
  sqrt(h: Handle): Handle;
  /** 1 / sqrt(h). [sync] */
  rsqrt(h: Handle): Handle;
  /** |h|. [sync] */
  abs(h: Handle): Handle;
  /** Sign (-1, 0, 1). [sync] */
  sign(h: Handle): Handle;
  /** Logistic sigmoid. [sync] */
  sigmoid(h: Handle): Handle;
  /** log(sigmoid(h)). [sync] */
  logsigmoid(h: Handle): Handle;
  /** tanh. [sync] */
  tanh(h: Handle): Handle;
  /** ReLU. [sync] */
  relu(h: Handle): Handle;
  /** SiLU (x * sigmoid(x)). [sync] */
  silu(h: Handle): Handle;
  /** sin. [sync] */
  sin(h: Handle): Handle;
  /** cos. [sync] */
  cos(h: Handle): Handle;
  /** 1 / h. [sync] */
  reciprocal(h: Handle): Handle;
  /** h * h. [sync] */
  square(h: Handle): Handle;
  /** floor. [sync] */
  floor(h: Handle): Handle;
  /** ceil. [sync] */
  ceil(h: Handle): Handle;
  /** Round half to even. [sync] */
  round(h: Handle): Handle;
  /** Round toward zero. [sync] */
  trunc(h: Handle): Handle;
  /** torch.logical_not. [sync] */
  logicalNot(h: Handle): Handle;
  /** torch.isnan. [sync] */
  isnan(h: Handle): Handle;
  /** torch.isinf. [sync] */
  isinf(h: Handle): Handle;
  /** torch.isfinite. [sync] */
  isfinite(h: Handle): Handle;
  /** torch.bitwise_not. [sync] */
  bitwiseNot(h: Handle): Handle;
  /** GELU, exact ('none', the default) or the tanh approximation. [sync] */
  gelu(h: Handle, approximate?: 'none' | 'tanh'): Handle;
  /** Clamp to [min, max] (null: unbounded); the bounds are handles when boundsAreTensors. [sync] */
  clamp(h: Handle, min?: HandleOrScalar | null, max?: HandleOrScalar | null, boundsAreTensors?: boolean): Handle;
  /** torch.nan_to_num (null: libtorch's defaults). [sync] */
  nanToNum(h: Handle, nan?: number | null, posinf?: number | null, neginf?: number | null): Handle;
  /** Sum over `dims` (all when null), optionally in `dtype`. [sync] */
  sum(h: Handle, dims?: Ints | null, keepdim?: boolean, dtype?: DTypeCode | null): Handle;
  /** Mean over `dims` (all when null), optionally in `dtype`. [sync] */
  mean(h: Handle, dims?: Ints | null, keepdim?: boolean, dtype?: DTypeCode | null): Handle;
  /** Product over one dim, or all when null. [sync] */
  prod(h: Handle, dim?: number | null, keepdim?: boolean): Handle;
  /** The global max. [sync] */
  max(h: Handle, dim?: null): Handle;
  /** Max along `dim`: [values, indices]. [sync] */
  max(h: Handle, dim: number, keepdim?: boolean): [values: Handle, indices: Handle];
  /** The global min. [sync] */
  min(h: Handle, dim?: null): Handle;
  /** Min along `dim`: [values, indices]. [sync] */
  min(h: Handle, dim: number, keepdim?: boolean): [values: Handle, indices: Handle];
  /** torch.amax. [sync] */
  amax(h: Handle, dims: Ints, keepdim?: boolean): Handle;
  /** torch.amin. [sync] */
  amin(h: Handle, dims: Ints, keepdim?: boolean): Handle;
  /** torch.argmax (of the flattened tensor when `dim` is null). [sync] */
  argmax(h: Handle, dim?: number | null, keepdim?: boolean): Handle;
  /** torch.argmin (of the flattened tensor when `dim` is null). [sync] */
  argmin(h: Handle, dim?: number | null, keepdim?: boolean): Handle;
  /** torch.logsumexp over `dims`. [sync] */
  logsumexp(h: Handle, dims: Ints, keepdim?: boolean): Handle;
  /** torch.topk: [values, indices]; largest and sorted are false when left out, unlike torch. [sync] */
  topk(h: Handle, k: number, dim: number, largest: boolean, sorted: boolean): [values: Handle, indices: Handle];
  /** torch.sort along `dim`: [values, indices]. [sync] */
  sort(h: Handle, dim: number, descending?: boolean, stable?: boolean): [values: Handle, indices: Handle];
  /** torch.argsort along `dim`. [sync] */
  argsort(h: Handle, dim: number, descending?: boolean, stable?: boolean): Handle;
  /** torch.cumsum, optionally in `dtype`. [sync] */
  cumsum(h: Handle, dim: number, dtype?: DTypeCode | null): Handle;
  /** torch.cumprod. [sync] */
  cumprod(h: Handle, dim: number): Handle;
  /** Standard deviation over `dims` (all when null); unbiased divides by n - 1. [sync] */
  std(h: Handle, dims: Ints | null, unbiased: boolean, keepdim?: boolean): Handle;
  /** Variance over `dims` (all when null); unbiased divides by n - 1. [sync] */
  var(h: Handle, dims: Ints | null, unbiased: boolean, keepdim?: boolean): Handle;
  /** p-norm over `dims` (all when null). [sync] */
  norm(h: Handle, p: number, dims?: Ints | null, keepdim?: boolean): Handle;
  /** torch.all (over one dim, or all when null). [sync] */
  all(h: Handle, dim?: number | null, keepdim?: boolean): Handle;
  /** torch.any (over one dim, or all when null). [sync] */
  any(h: Handle, dim?: number | null, keepdim?: boolean): Handle;
  /** In place h += b; returns h. [sync] */
  add_(h: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** In place h -= b; returns h. [sync] */
  sub_(h: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** In place h *= b; returns h. [sync] */
  mul_(h: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** In place h /= b; returns h. [sync] */
  div_(h: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** In place fill with a value (a 0-dim tensor, or a scalar when bIsScalar); returns h. [sync] */
  fill_(h: Handle, b: HandleOrScalar, bIsScalar?: boolean): Handle;
  /** In place copy of src into h (broadcast, cast); returns h. [sync] */
  copy_(h: Handle, src: Handle): Handle;
  /** In place zero; returns h. [sync] */
  zero_(h: Handle): Handle;
  /** In place clamp to scalar bounds (null: unbounded); returns h. [sync] */
  clamp_(h: Handle, min?: Scalar | null, max?: Scalar | null): Handle;

  // ---- linear algebra and nn (nn_ops.cpp) ----
  /** torch.matmul. [sync] */
  matmul(a: Handle, b: Handle): Handle;
  /** torch.mm. [sync] */
  mm(a: Handle, b: Handle): Handle;
  /** torch.bmm. [sync] */
  bmm(a: Handle, b: Handle): Handle;
  /** torch.outer. [sync] */
  outer(a: Handle, b: Handle): Handle;
  /** torch.einsum. [sync] */
  einsum(equation: string, operands: readonly Handle[]): Handle;
  /** x W^T + b. [sync] */
  linear(x: Handle, weight: Handle, bias?: Handle | null): Handle;
  /** softmax along `dim`, optionally computed in `dtype`. [sync] */
  softmax(h: Handle, dim: number, dtype?: DTypeCode | null): Handle;
  /** log_softmax along `dim`, optionally computed in `dtype`. [sync] */
  logSoftmax(h: Handle, dim: number, dtype?: DTypeCode | null): Handle;
  /** Embedding lookup; paddingIdx null: none. [sync] */
  embedding(weight: Handle, ids: Handle, paddingIdx?: number | null): Handle;
  /** torch.nn.functional.layer_norm. [sync] */
  layerNorm(x: Handle, normalizedShape: Ints, weight: Handle | null, bias: Handle | null, eps: number): Handle;
  /** torch.nn.functional.rms_norm (eps null: the dtype's epsilon). [sync] */
  rmsNorm(x: Handle, normalizedShape: Ints, weight?: Handle | null, eps?: number | null): Handle;
  /** 2-D convolution. [sync] */
  conv2d(x: Handle, weight: Handle, bias: Handle | null, stride: Ints, padding: Ints, dilation: Ints, groups: number): Handle;
  /** 3-D convolution. [sync] */
  conv3d(x: Handle, weight: Handle, bias: Handle | null, stride: Ints, padding: Ints, dilation: Ints, groups: number): Handle;
  /** Fused scaled-dot-product attention; a bool mask means "may attend", a float one is added. [sync] */
  sdpa(q: Handle, k: Handle, v: Handle, mask: Handle | null, dropoutP: number, isCausal: boolean, scale?: number | null, enableGqa?: boolean): Handle;
  /** Dropout with probability p when `train`. [sync] */
  dropout(x: Handle, p: number, train: boolean): Handle;
  /** torch.multinomial. [sync] */
  multinomial(probs: Handle, numSamples: number, replacement?: boolean, generator?: GeneratorIndex | null): Handle;
  /** Cross-entropy of logits [N, C] against ids [N]. [sync] */
  crossEntropy(logits: Handle, target: Handle, ignoreIndex: number, reduction: CrossEntropyReduction, labelSmoothing: number): Handle;
  /** log p of each target under logits / temperature (and entropy), in row chunks (default 1024). [sync] */
  tokenLogProbs(logits: Handle, targets: Handle, temperature: number, withEntropy: boolean, chunk?: number | null): ScoredHandles;

  // ---- autograd (autograd.cpp) ----
  /** Sets requires_grad; returns h. [sync] */
  requiresGrad_(h: Handle, on: boolean): Handle;
  /** Tensor.requires_grad. [sync] */
  requiresGrad(h: Handle): boolean;
  /** Tensor.is_leaf. [sync] */
  isLeaf(h: Handle): boolean;
  /** Keeps .grad of a non-leaf; returns h. [sync] */
  retainGrad(h: Handle): Handle;
  /** Backpropagates from h (a non-scalar needs `grad`). [sync] */
  backward(h: Handle, grad?: Handle | null, retainGraph?: boolean): void;
  /** backward on a worker thread; resolves once the gradients are accumulated. [async: runs on the addon's task thread] */
  backwardAsync(h: Handle, grad?: Handle | null, retainGraph?: boolean): Promise<void>;
  /** A new handle to .grad (shares memory), or null. [sync] */
  grad(h: Handle): Handle | null;
  /** Sets .grad (null clears it). [sync] */
  setGrad(h: Handle, grad?: Handle | null): void;
  /** Tensor.detach. [sync] */
  detach(h: Handle): Handle;
  /** Sets grad mode; returns the previous one. [sync] */
  setGradEnabled(on: boolean): boolean;
  /** Whether grad mode is on. [sync] */
  isGradEnabled(): boolean;
  /** Opens an inference-mode scope (LIFO with inferenceModeExit). [sync] */
  inferenceModeEnter(): void;
  /** Closes the innermost inference-mode scope. [sync] */
  inferenceModeExit(): void;
  /** Whether inference mode is on. [sync] */
  isInferenceMode(): boolean;
  /** torch.autograd.grad(outputs, inputs, gradOutputs, createGraph), null where unused. [sync] */
  autogradGrad(outputs: readonly Handle[], inputs: readonly Handle[], gradOutputs?: readonly Handle[] | null, createGraph?: boolean): (Handle | null)[];

  // ---- optimizers (optim.cpp) ----
  /** A new AdamW over the groups (fp32 masters of low-precision params when masterWeights); its index. [sync] */
  adamwNew(groups: readonly AdamWGroupSpec[], masterWeights?: boolean): OptimizerIndex;
  /** One AdamW update of every parameter with a gradient. [sync] */
  adamwStep(optimizer: OptimizerIndex): void;
  /** Clears gradients (set to none unless setToNone is false). [sync] */
  adamwZeroGrad(optimizer: OptimizerIndex, setToNone?: boolean): void;
  /** Changes hyper-parameters of one group. [sync] */
  adamwSetGroup(optimizer: OptimizerIndex, group: number, update: AdamWGroupUpdate): void;
  /** Step counts, moments and masters by parameter (new handles). [sync] */
  adamwGetState(optimizer: OptimizerIndex): AdamWState;
  /** Copies steps and moments (and masters, written through to the params) in. [sync] */
  adamwSetState(optimizer: OptimizerIndex, steps: readonly number[], expAvg: readonly (Handle | null)[], expAvgSq: readonly (Handle | null)[], master?: readonly (Handle | null)[] | null): void;
  /** Frees the optimizer (no-op for an unknown index). [sync] */
  adamwFree(optimizer: OptimizerIndex): void;
  /** Scales grads to a global norm of at most maxNorm; returns the norm before. [sync] */
  clipGradNorm(params: readonly Handle[], maxNorm: number, normType?: number | null): number;

  // ---- distributed (distributed.cpp): one c10d process group per process ----
  /** The c10d backends this build has ('gloo', 'nccl'); empty = single process only. [sync] */
  distBackends(): string[];
  /** Rendezvous and start the process group (blocks until every rank has joined or the timeout). [sync] */
  distInit(options: DistInitOptions): void;
  /** Stops the heartbeat watchdog (a clean end of run, before the last barrier). [sync] */
  distStopWatchdog(): void;
  /** Stops the watchdog and leaves the group (no-op without one). [sync] */
  distDestroy(): void;
  /** In-place all-reduce of every tensor. [sync] */
  distAllreduce(tensors: readonly Handle[], op: 'sum' | 'max' | 'min', what: string): void;
  /** In-place broadcast from `root`. [sync] */
  distBroadcast(tensors: readonly Handle[], root: number, what: string): void;
  /** Every rank's tensor (same shape everywhere), in rank order (new handles). [sync] */
  distAllgather(tensor: Handle, what: string): Handle[];
  /** Waits for every rank. [sync] */
  distBarrier(what: string): void;
  /** Sets a key of the run's store. [sync] */
  distStoreSet(key: string, value: string): void;
  /** Reads a key of the run's store, waiting (up to the timeout) for it to be set. [sync] */
  distStoreGet(key: string): string;
  /** Payload bytes this rank has handed to collectives so far. [sync] */
  distBytes(): number;
  /** Averages the parameters' gradients over the ranks in buckets; returns the bytes reduced. [sync] */
  distAllreduceGrads(params: readonly Handle[], bucketBytes: number): number;
  /** ZeRO-2: each rank keeps the averaged gradients of the parameters it owns, drops the rest. [sync] */
  distReduceScatterGrads(params: readonly Handle[], owners: readonly number[], bucketBytes: number): number;
  /** Global grad-norm clipping over gradients split across ranks; returns the norm before. [sync] */
  distClipShardedGradNorm(params: readonly Handle[], owners: readonly number[], maxNorm: number): number;
  /** Every rank receives the weights each parameter's owner holds. [sync] */
  distBroadcastFromOwners(params: readonly Handle[], owners: readonly number[], bucketBytes: number): number;

  // ---- safetensors bytes (io.cpp) ----
  /** Reads tensors from a file's data section (dataStart = 8 + header length). [sync] */
  readSpans(path: string, dataStart: number, spans: readonly SafetensorsSpan[]): Handle[];
  /** Writes a safetensors file atomically: the header JSON then the tensors' bytes in order. [sync] */
  writeSafetensors(path: string, header: string, tensors: readonly Handle[]): void;
  /** readSpans off the JS thread. [async: runs on the addon's task thread] */
  readSpansAsync(path: string, dataStart: number, spans: readonly SafetensorsSpan[]): Promise<Handle[]>;
  /** writeSafetensors off the JS thread; the tensors must not change until it settles. [async: runs on the addon's task thread] */
  writeSafetensorsAsync(path: string, header: string, tensors: readonly Handle[]): Promise<void>;

  // ---- profiler (profiler.cpp) ----
  /** Opens a named RecordFunction range; returns its token. [sync] */
  rangePush(name: string): number;
  /** Closes the range of `token`. [sync] */
  rangePop(token: number): void;
  /** Starts a profiler session. [sync] */
  profilerStart(recordShapes: boolean, withStack: boolean, cuda: boolean): void;
  /** Stops the session and writes its Chrome trace to tracePath. [sync] */
  profilerStop(tracePath: string): void;
  /** Every op and range as an NVTX range (CUDA builds with a GPU only; throws elsewhere). [sync] */
  nvtxStart(recordShapes: boolean): void;
  /** Ends the NVTX session. [sync] */
  nvtxStop(): void;

  // ---- Qwen2.5-VL (qwen.cpp) ----
  /** A new model (weights not yet loaded) of `dtype` on `device`; its index. [sync] */
  qwenNew(config: QwenModelSpec, dtype: DTypeCode, device?: DeviceName | null): ModelIndex;
  /** Parameter names and new handles sharing their memory. [sync] */
  qwenParams(model: ModelIndex): { names: string[]; handles: Handle[] };
  /** Random init: normal(0, std) matrices, unit norms, zero biases. [sync] */
  qwenInitRandom(model: ModelIndex, std: number, seed: number): void;
  /** Logits [B, L, V] (default) or final hidden states. [sync] */
  qwenForward(model: ModelIndex, inputs: QwenInputs, what?: 'logits' | 'hidden'): Handle;
  /** log p (and entropy) [B, R] of targets [B, R] at positions start..start+R-1, with autograd. [sync] */
  qwenLogProbs(model: ModelIndex, inputs: QwenInputs, targets: Handle, start: number, temperature: number, withEntropy: boolean, chunk?: number | null): ScoredHandles;
  /** qwenLogProbs off the JS thread, with the grad mode in force when called. [async: runs on the addon's task thread] */
  qwenLogProbsAsync(model: ModelIndex, inputs: QwenInputs, targets: Handle, start: number, temperature: number, withEntropy: boolean, chunk?: number | null): Promise<ScoredHandles>;
  /** log p (and entropy) [B, columns] of responses at packed tokens starts[b] .. + lengths[b]. [sync] */
  qwenLogProbsPacked(model: ModelIndex, inputs: QwenInputs, starts: readonly number[], lengths: readonly number[], columns: number, temperature: number, withEntropy: boolean, chunk?: number | null): ScoredHandles;
  /** qwenLogProbsPacked off the JS thread. [async: runs on the addon's task thread] */
  qwenLogProbsPackedAsync(model: ModelIndex, inputs: QwenInputs, starts: readonly number[], lengths: readonly number[], columns: number, temperature: number, withEntropy: boolean, chunk?: number | null): Promise<ScoredHandles>;
  /** Recompute layer activations in backward. [sync] */
  qwenSetGradientCheckpointing(model: ModelIndex, on: boolean): void;
  /** Moves every weight to `device` in place. [sync] */
  qwenMoveTo(model: ModelIndex, device: DeviceName): void;
  /** [sync] Decoder layers whose q/k/v and gate/up projections still run as fused matmuls in inference. */
  qwenFusedLayers(model: ModelIndex): number;
  /** Batched generation from left-padded prompts; onStep(step, tokens) streams each step. [async: runs on a libuv pool thread (Napi::AsyncWorker)] */
  qwenGenerate(model: ModelIndex, inputs: QwenInputs, nextPosition: Handle, params: QwenGenerateParams, onStep?: ((step: number, tokens: number[]) => void) | null): Promise<QwenGenerateResult>;
  /** Frees the model (no-op for an unknown index). [sync] */
  qwenFree(model: ModelIndex): void;
  /** The engine's sampling step on logits [R, V]: [tokens, logProbs]. [sync] */
  qwenSample(logits: Handle, params: QwenSamplingParams, seed: number): [tokens: Handle, logProbs: Handle];
  /** The vision tower's window order and window boundaries for `grids`. [sync] */
  qwenWindowIndex(vision: { spatialMergeSize: number; windowSize: number; patchSize: number }, grids: readonly (readonly number[])[]): [windowIndex: number[], cuWindow: number[]];
}
