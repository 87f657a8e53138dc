// Node-only: an embedded IPFS node for tests, the demo and local runs (see server.ts).
export {
  DEFAULT_MAX_ADD_BYTES,
  startIpfsDevNode,
  type DevNodeLogger,
  type StartIpfsDevNodeParameters,
  type StartIpfsDevNodeReturnType,
} from "./server.ts";
export { DEV_NODE_VERSION } from "./rpc.ts";
