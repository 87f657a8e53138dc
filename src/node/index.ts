// `gpu-nexus/node`: the provider node as a library, for operators who embed it in their own process instead of
// running `gpunexus provider start`. Node-only (Docker Compose, the file system, an HTTP callback server).
export { createProviderNode, type ProviderNode, type ProviderNodeDeps, type ProviderNodeInfo } from "./node.ts";
export {
  describeConfig,
  loadNodeConfig,
  nodeConfigSchema,
  NodeConfigError,
  type LoadedNodeConfig,
  type LoadNodeConfigParameters,
  type NodeConfig,
  type NodeConfigInput,
} from "./config.ts";
export { decryptKeystore, encryptKeystore, KeystoreError, type EncryptKeystoreOptions, type KeystoreV3 } from "./keystore.ts";
export { detectDocker } from "./runtime/index.ts";
