import { rbfKernelWasmBase64 } from './rbf-kernel-wasm.js';
import type { BlockedSupportVectors } from './kernel-values.js';
import { SV_BLOCK } from './kernel-values.js';

/** The part of the WebAssembly JavaScript API used here (the project's `lib` has no DOM types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  readonly Module: new (bytes: Uint8Array) => WasmModule;
  readonly Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: unknown };
}
type WasmModule = { readonly __brand: 'WebAssembly.Module' };

/** What rbf-kernel.wat exports. */
interface RbfKernelExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  exp_in_place(ptr: number, n: number): void;
  kernel_values(z: number, pairs: number, sv: number, blocks: number, cols: number, negGamma: number, k: number): void;
  binary_sums(z: number, pairs: number, sv: number, blocks: number, cols: number, coef: number, negGamma: number, k: number, out: number): void;
}

/**
 * The compiled module, or null where this JavaScript engine has no WebAssembly SIMD (then the
 * callers keep their JavaScript loops, which give the same bits). Compiled once, on first use.
 */
let compiled: WasmModule | null | undefined;
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

function rbfKernelModule(): WasmModule | null {
  if (compiled === undefined) {
    const bytes = Uint8Array.from(atob(rbfKernelWasmBase64), (ch) => ch.charCodeAt(0));
    compiled = wasmApi !== undefined && wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
  }
  return compiled;
}

const PAGE = 65_536;

/**
 * A fresh instance with `bytes` of memory, or null where the engine cannot give it that memory:
 * V8 reserves 8 GiB and more of address space for each WebAssembly memory, which a host limiting
 * the process's address space (`ulimit -v`, systemd's LimitAS=) refuses with a RangeError. The
 * callers then keep their JavaScript loops, as where there is no SIMD. Math.exp is the import the
 * vector exp defers to.
 */
function instantiate(module: WasmModule, bytes: number): RbfKernelExports | null {
  try {
    const exports = new (wasmApi as WasmApi).Instance(module, { math: { exp: Math.exp } }).exports as RbfKernelExports;
    const pages = Math.ceil(bytes / PAGE) - exports.memory.buffer.byteLength / PAGE;
    if (pages > 0) exports.memory.grow(pages);
    return exports;
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** Whether this engine has WebAssembly SIMD (an instance may still be refused its memory: instantiate). */
export function simdKernelAvailable(): boolean {
  return rbfKernelModule() !== null;
}

/**
 * The sums of a two-class model, `Σ_s coef_s · exp(-γ · Σ_c (z_c - sv_sc)²)`, for up to
 * `capacity` rows per call: the caller writes the rows (as the SVC sees them) into `rows`, two
 * rows interleaved per pair (`interleaveRows(…, 2)`'s layout: feature c of row r at
 * `((r >> 1) · cols + c) · 2 + (r & 1)`), then reads `sums(n)`'s values from `out`.
 */
export interface BinaryKernelSums {
  readonly capacity: number;
  readonly rows: Float64Array;
  readonly out: Float64Array;
  sums(n: number): void;
}

/** Rows per call: the pairs of one call (30 features: 60 KiB) stay in the core's L2 cache. */
const CAPACITY = 256;

/**
 * The kernel sums of a two-class model in WebAssembly SIMD, or null where it is unavailable.
 * Lane by lane the arithmetic and its order are the ones of the JavaScript serving loop and of
 * libsvm (see rbf-kernel.wat), so the sums are the same bits.
 */
export function simdBinaryKernelSums(vectors: BlockedSupportVectors, cols: number, svCoef: readonly number[], gamma: number): BinaryKernelSums | null {
  const module = rbfKernelModule();
  if (module === null) return null;
  const { blocked, blocks } = vectors;
  const svBytes = blocked.length * 8;
  const coefAt = svBytes;
  const kAt = coefAt + blocks * SV_BLOCK * 8;
  const rowsAt = kAt + blocks * SV_BLOCK * 16;
  const outAt = rowsAt + CAPACITY * cols * 8;
  const wasm = instantiate(module, outAt + CAPACITY * 8);
  if (wasm === null) return null;
  const memory = wasm.memory.buffer;
  new Float64Array(memory, 0, blocked.length).set(blocked);
  // Padding vectors: coefficient 0, so they add +0 after the real terms, which changes no sum.
  new Float64Array(memory, coefAt, blocks * SV_BLOCK).set(svCoef);
  const negGamma = -gamma;
  return {
    capacity: CAPACITY,
    rows: new Float64Array(memory, rowsAt, CAPACITY * cols),
    out: new Float64Array(memory, outAt, CAPACITY),
    sums(n) {
      wasm.binary_sums(rowsAt, (n + 1) >> 1, 0, blocks, cols, coefAt, negGamma, kAt, outAt);
    },
  };
}

/**
 * Kernel values `exp(-γ · Σ_c (z_c - sv_sc)²)` of up to `capacity` rows per call against every
 * support vector: rows written into `rows` as for `BinaryKernelSums`, then after `compute(n)` the
 * value of row r and vector s at `values[((r >> 1) · stride + s) · 2 + (r & 1)]` (`stride`: the
 * vectors with the last block's padding).
 */
export interface KernelValuesBatch {
  readonly capacity: number;
  readonly stride: number;
  readonly rows: Float64Array;
  readonly values: Float64Array;
  compute(n: number): void;
}

/** `KernelValuesBatch` in WebAssembly SIMD, or null where it is unavailable. */
export function simdKernelValues(vectors: BlockedSupportVectors, cols: number, gamma: number): KernelValuesBatch | null {
  const module = rbfKernelModule();
  if (module === null) return null;
  const { blocked, blocks } = vectors;
  const stride = blocks * SV_BLOCK;
  const rowsAt = blocked.length * 8;
  const valuesAt = rowsAt + CAPACITY * cols * 8;
  const wasm = instantiate(module, valuesAt + CAPACITY * stride * 8);
  if (wasm === null) return null;
  const memory = wasm.memory.buffer;
  new Float64Array(memory, 0, blocked.length).set(blocked);
  const negGamma = -gamma;
  return {
    capacity: CAPACITY,
    stride,
    rows: new Float64Array(memory, rowsAt, CAPACITY * cols),
    values: new Float64Array(memory, valuesAt, CAPACITY * stride),
    compute(n) {
      wasm.kernel_values(rowsAt, (n + 1) >> 1, 0, blocks, cols, negGamma, valuesAt);
    },
  };
}

/** Test hook: exp of each value of `x` (even length) through the module's vector exp. */
export function simdExp(x: Float64Array): Float64Array {
  const module = rbfKernelModule();
  if (module === null) throw new Error('WebAssembly SIMD is not available');
  const wasm = instantiate(module, x.length * 8);
  if (wasm === null) throw new Error('no memory for a WebAssembly instance');
  const view = new Float64Array(wasm.memory.buffer, 0, x.length);
  view.set(x);
  wasm.exp_in_place(0, x.length);
  return view.slice();
}
