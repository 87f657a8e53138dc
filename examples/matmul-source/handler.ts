// Container entrypoint of the matmul example source (also run directly by LocalProcessRuntime).
import { runHandlerServer } from "../../src/handler/main.ts";
import { handlers } from "./handlers.ts";

await runHandlerServer(handlers);
