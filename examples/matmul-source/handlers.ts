import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { defineHandler } from "../../src/handler/index.ts";
import { matmul } from "./matmul.ts";

export const MAX_SIZE = 512;
export const MAX_ROUNDS = 8;

/**
 * The real workload: seeded matrices multiplied; the hash lets two providers' answers be compared. The output is a
 * function of the input alone (no timing, no host detail), so honest providers pin byte-identical results and an
 * AGREEMENT source can count their votes; the time taken goes to the log.
 */
export const matmulHandler = defineHandler({
  name: "matmul",
  input: z.object({
    size: z.number().int().min(1).max(MAX_SIZE),
    seed: z.number().int().min(0).max(0xffff_ffff),
    rounds: z.number().int().min(1).max(MAX_ROUNDS).default(1),
  }),
  output: z.object({
    size: z.number().int(),
    seed: z.number().int(),
    rounds: z.number().int(),
    resultSha256: z.string().regex(/^[0-9a-f]{64}$/),
    checksum: z.number(),
  }),
  async run(input, { signal, logger }) {
    const started = performance.now();
    const result = await matmul({ ...input, signal });
    const elapsedMs = Math.round((performance.now() - started) * 1000) / 1000;
    logger.info({ size: input.size, rounds: input.rounds, elapsedMs }, "matmul done");
    return { size: input.size, seed: input.seed, rounds: input.rounds, ...result };
  },
});

/** Always throws: lets a provider node's tests exercise the error-callback path. */
export const failHandler = defineHandler({
  name: "fail",
  input: z.object({ message: z.string().max(500).default("requested failure") }),
  output: z.object({}),
  async run(input) {
    throw new Error(input.message);
  },
});

/** Waits (abortably): lets tests cause hangs and timeouts on purpose. */
export const sleepHandler = defineHandler({
  name: "sleep",
  input: z.object({ ms: z.number().int().min(0).max(3_600_000) }),
  output: z.object({ sleptMs: z.number().int() }),
  async run(input, { signal }) {
    await sleep(input.ms, undefined, { signal });
    return { sleptMs: input.ms };
  },
});

export const handlers = [matmulHandler, failHandler, sleepHandler];
