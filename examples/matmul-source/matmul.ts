import { createHash } from "node:crypto";

/**
 * mulberry32: a tiny 32-bit PRNG whose every step is integer arithmetic (Math.imul, shifts), so the
 * same seed yields the same stream on every machine and every JS engine.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Fills a size×size row-major matrix with values in [-1, 1). u32 / 2^31 - 1 is exact in float64
 * (32 significant bits), so the inputs carry no rounding at all.
 */
export function randomMatrix(next: () => number, size: number): Float64Array {
  const matrix = new Float64Array(size * size);
  for (let index = 0; index < matrix.length; index++) matrix[index] = next() / 2 ** 31 - 1;
  return matrix;
}

/**
 * C = A × B, row-major. Each C[i][j] is accumulated from 0 in ascending k, one IEEE-754 multiply and
 * one add per step (JS never fuses them), so the bits are fixed by the inputs: that is what lets two
 * providers' answers be compared by hash. The i-k-j loop order keeps B's rows streaming through cache
 * without changing any element's summation order.
 */
export function multiplyRows(a: Float64Array, b: Float64Array, c: Float64Array, size: number, rowStart: number, rowEnd: number): void {
  for (let i = rowStart; i < rowEnd; i++) {
    const rowC = i * size;
    for (let k = 0; k < size; k++) {
      const aik = a[rowC + k] ?? 0;
      const rowB = k * size;
      for (let j = 0; j < size; j++) c[rowC + j] = (c[rowC + j] ?? 0) + aik * (b[rowB + j] ?? 0);
    }
  }
}

/** Little-endian bytes whatever the host's byte order, so the hash is portable. */
export function matrixBytes(matrix: Float64Array): Uint8Array {
  const bytes = new Uint8Array(matrix.length * 8);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < matrix.length; index++) view.setFloat64(index * 8, matrix[index] ?? 0, true);
  return bytes;
}

export type MatmulResult = { resultSha256: string; checksum: number };

/** Summarises a result matrix: sha256 of its bytes and the plain sum of its entries in index order. */
export function summarize(matrix: Float64Array): MatmulResult {
  let checksum = 0;
  for (const value of matrix) checksum += value;
  return { resultSha256: createHash("sha256").update(matrixBytes(matrix)).digest("hex"), checksum };
}

export type MatmulOptions = {
  size: number;
  seed: number;
  rounds: number;
  signal?: AbortSignal;
  /** Rows computed between yields to the event loop, so a timeout's abort can be noticed. */
  rowsPerSlice?: number;
};

/** R = A × B^rounds with A then B drawn from one mulberry32 stream seeded by `seed`. */
export async function matmul(options: MatmulOptions): Promise<MatmulResult> {
  const { size, rounds } = options;
  const next = mulberry32(options.seed);
  const a = randomMatrix(next, size);
  const b = randomMatrix(next, size);
  const rowsPerSlice = options.rowsPerSlice ?? 16;
  let current = a;
  for (let round = 0; round < rounds; round++) {
    const product = new Float64Array(size * size);
    for (let row = 0; row < size; row += rowsPerSlice) {
      options.signal?.throwIfAborted();
      multiplyRows(current, b, product, size, row, Math.min(size, row + rowsPerSlice));
      // The work is synchronous; yielding lets timers (the per-call timeout) and I/O run.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    current = product;
  }
  options.signal?.throwIfAborted();
  return summarize(current);
}
