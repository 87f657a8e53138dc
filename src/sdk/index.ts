// The public entry point of the GPU Nexus SDK. It imports nothing Node-only, so it bundles for browsers.
export * from "./abis.ts";
export * from "./chains.ts";
export * from "./errors/index.ts";
export * from "./actions/index.ts";
export * from "./decorator.ts";
export * from "./events/index.ts";
export * from "./flows/index.ts";
export * from "./ipfs/index.ts";
export * from "./documents.ts";
