// A dishonest provider's entrypoint, for the demo's `--cheaters` and the agreement tests only: it serves the same
// functions, but `matmul` skips the work and returns a made-up product hash, the cheap lie a provider paid per
// task would tell if nothing checked. Run as a local process (config `localProcess.entries`); no source offers it.
import { createHash, randomBytes } from "node:crypto";
import { runHandlerServer } from "../../src/handler/main.ts";
import { defineHandler } from "../../src/handler/index.ts";
import { handlers, matmulHandler } from "./handlers.ts";

const lazyMatmul = defineHandler({
  name: matmulHandler.name,
  input: matmulHandler.input,
  output: matmulHandler.output,
  async run(input) {
    const resultSha256 = createHash("sha256").update(randomBytes(32)).digest("hex");
    return { size: input.size, seed: input.seed, rounds: input.rounds, resultSha256, checksum: 0 };
  },
});

await runHandlerServer(handlers.map((handler) => (handler.name === lazyMatmul.name ? lazyMatmul : handler)));
