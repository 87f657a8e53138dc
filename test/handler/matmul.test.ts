import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { handlers, matmulHandler } from "../../examples/matmul-source/handlers.ts";
import { matmul } from "../../examples/matmul-source/matmul.ts";
import { silentLogger } from "./helpers.ts";

// An independent implementation (2-D arrays, i-j-k with a scalar accumulator, Buffer's LE writer):
// shares nothing with the example's code but the published mulberry32 algorithm and the spec.
function referenceMulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function reference(size: number, seed: number, rounds: number): { hash: string; checksum: number } {
  const next = referenceMulberry32(seed);
  const draw = () => Array.from({ length: size }, () => Array.from({ length: size }, () => next() / 2147483648 - 1));
  const a = draw();
  const b = draw();
  let current = a;
  for (let round = 0; round < rounds; round++) {
    current = current.map((row) =>
      b[0]!.map((_, j) => {
        let sum = 0;
        for (let k = 0; k < size; k++) sum += row[k]! * b[k]![j]!;
        return sum;
      }),
    );
  }
  const flat = current.flat();
  const bytes = Buffer.alloc(flat.length * 8);
  flat.forEach((value, index) => bytes.writeDoubleLE(value, index * 8));
  return { hash: createHash("sha256").update(bytes).digest("hex"), checksum: flat.reduce((sum, value) => sum + value, 0) };
}

describe("matmul example", () => {
  test("small cases match an independent computation bit for bit", async () => {
    for (const [size, seed, rounds] of [[1, 0, 1], [3, 42, 1], [7, 0xffff_ffff, 1], [16, 7, 3]] as const) {
      const expected = reference(size, seed, rounds);
      const actual = await matmul({ size, seed, rounds });
      expect(actual.resultSha256, `size ${size} seed ${seed} rounds ${rounds}`).toBe(expected.hash);
      expect(actual.checksum).toBe(expected.checksum);
    }
  });

  test("a pinned vector: changing the algorithm would break cross-provider comparison", async () => {
    const result = await matmul({ size: 4, seed: 1, rounds: 1 });
    expect(result.resultSha256).toBe("cdd69e76025759f297aa5efc36cedfa9305dff7778b11080c9c8c8367b59743e");
    expect(result.checksum).toBe(1.4413762807389947);
  });

  test("same seed → same hash; different seed or rounds → different hash", async () => {
    const first = await matmul({ size: 96, seed: 123, rounds: 1 });
    const again = await matmul({ size: 96, seed: 123, rounds: 1, rowsPerSlice: 5 });
    const otherSeed = await matmul({ size: 96, seed: 124, rounds: 1 });
    const otherRounds = await matmul({ size: 96, seed: 123, rounds: 2 });
    expect(again).toEqual(first);
    expect(otherSeed.resultSha256).not.toBe(first.resultSha256);
    expect(otherRounds.resultSha256).not.toBe(first.resultSha256);
  });

  test("the handler validates its input, fills defaults and reports the result", async () => {
    expect(matmulHandler.input.safeParse({ size: 513, seed: 1 }).success).toBe(false);
    expect(matmulHandler.input.safeParse({ size: 8, seed: -1 }).success).toBe(false);
    expect(matmulHandler.input.safeParse({ size: 8, seed: 1, rounds: 9 }).success).toBe(false);
    const input = matmulHandler.input.parse({ size: 8, seed: 5 });
    expect(input.rounds).toBe(1);
    const output = await matmulHandler.run(input, { signal: new AbortController().signal, taskId: "t", logger: silentLogger });
    expect(matmulHandler.output.parse(output)).toMatchObject({ size: 8, seed: 5, rounds: 1, resultSha256: reference(8, 5, 1).hash });
    expect(handlers.map((handler) => handler.name)).toEqual(["matmul", "fail", "sleep"]);
  });

  test("an aborted signal stops the work", async () => {
    const controller = new AbortController();
    const running = matmul({ size: 256, seed: 1, rounds: 8, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 20);
    await expect(running).rejects.toThrow("stop");
  });
});
