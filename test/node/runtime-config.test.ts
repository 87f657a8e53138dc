import { resolve } from "node:path";
import { describe, expect, test } from "vitest";
import {
  DockerComposeRuntime,
  LocalProcessRuntime,
  RuntimeUnavailableError,
  createHandlerRuntime,
  detectDocker,
} from "../../src/node/runtime/index.ts";
import { silentLogger } from "../handler/helpers.ts";

// None of these need a daemon: they point the runtime at one that cannot exist.
const NO_DAEMON = { PATH: process.env.PATH, DOCKER_HOST: "unix:///nonexistent/docker.sock" };
const local = { entry: resolve(import.meta.dirname, "../../examples/matmul-source/handler.ts"), logger: silentLogger };

describe("runtime selection without Docker", () => {
  test("detectDocker says no when the daemon does not answer or the CLI is missing", async () => {
    expect(await detectDocker({ baseEnv: NO_DAEMON })).toBe(false);
    expect(await detectDocker({ dockerBinary: "/nonexistent/docker" })).toBe(false);
  });

  test("auto falls back to the local runtime, or fails with RuntimeUnavailableError when none is configured", async () => {
    const runtime = await createHandlerRuntime({ kind: "auto", docker: { baseEnv: NO_DAEMON }, local });
    expect(runtime).toBeInstanceOf(LocalProcessRuntime);
    await expect(createHandlerRuntime({ kind: "auto", docker: { baseEnv: NO_DAEMON } })).rejects.toBeInstanceOf(RuntimeUnavailableError);
    expect(await createHandlerRuntime({ kind: "docker-compose" })).toBeInstanceOf(DockerComposeRuntime);
  });

  test("no compose at all → RuntimeUnavailableError naming both commands", async () => {
    const runtime = new DockerComposeRuntime({ dockerBinary: "/nonexistent/docker", composeBinary: "/nonexistent/docker-compose", logger: silentLogger });
    const error = await runtime
      .start({
        sourceAddress: "0xaa",
        providerAddress: "0xbb",
        environment: "cpu",
        composeFile: resolve(import.meta.dirname, "../../examples/matmul-source/compose.cpu.yml"),
        port: 5555,
        callbackUrl: "http://127.0.0.1:1",
        projectName: "gn-nocompose",
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RuntimeUnavailableError);
    expect((error as Error).message).toMatch(/neither "\/nonexistent\/docker compose" nor "\/nonexistent\/docker-compose" works/);
    expect(runtime.running()).toEqual([]);
  });
});
