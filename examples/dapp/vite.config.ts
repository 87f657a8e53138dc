// Vite config of the example dapp: `npm run dapp:dev`, `npm run dapp:build`, `npm run dapp:preview`.
// Vite requires its config file to default-export the config: the one default export in this example.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { nexusDevServer } from "./dev-server.ts";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  // The page imports the SDK by its package name, exactly as a dapp depending on `gpu-nexus` would; inside this
  // repository the name points at the package's "." export.
  resolve: { alias: { "gpu-nexus": fileURLToPath(new URL("../../src/sdk/index.ts", import.meta.url)) } },
  plugins: [nexusDevServer()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 1500 },
  server: { host: "127.0.0.1", port: 5173 },
  preview: { host: "127.0.0.1", port: 4173 },
});
