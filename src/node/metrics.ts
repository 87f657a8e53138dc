// Prometheus metrics of a provider node and the small HTTP server that exposes them with a health check.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type NodeMetrics = {
  registry: Registry;
  tasksSeen: Counter;
  tasksAttempted: Counter;
  tasksCompleted: Counter;
  tasksFailed: Counter<"reason">;
  tasksSkipped: Counter<"reason">;
  /** Our attempts cut short by their task's closing whose reserved penalty we released back to our master. */
  attemptsReleased: Counter;
  /** Penalties taken from our master's stake: `reason` lapsed | rejected, `to` client | burned. */
  penalties: Counter<"reason" | "to">;
  /** Net payouts (after fee) to this provider's payee, from TaskFinalized and SharePaid events; a float, fine for monitoring. */
  earningsWei: Counter;
  /** Seconds from the TaskPublished block to our response being mined. */
  taskLatency: Histogram;
  inflight: Gauge;
};

/** A fresh registry per node, so several nodes (tests) in one process do not share counters. */
export function createNodeMetrics(options: { defaultMetrics?: boolean } = {}): NodeMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "gpunexus_process_" });
  const registers = [registry];
  return {
    registry,
    tasksSeen: new Counter({ name: "gpunexus_tasks_seen_total", help: "Tasks of registered sources seen", registers }),
    tasksAttempted: new Counter({ name: "gpunexus_tasks_attempted_total", help: "Attempts mined", registers }),
    tasksCompleted: new Counter({ name: "gpunexus_tasks_completed_total", help: "Responses mined", registers }),
    tasksFailed: new Counter({ name: "gpunexus_tasks_failed_total", help: "Attempted tasks that ended without a response", labelNames: ["reason"], registers }),
    tasksSkipped: new Counter({ name: "gpunexus_tasks_skipped_total", help: "Tasks not attempted", labelNames: ["reason"], registers }),
    attemptsReleased: new Counter({ name: "gpunexus_attempts_released_total", help: "Cut-short attempts whose reserved stake we released", registers }),
    penalties: new Counter({
      name: "gpunexus_penalties_total",
      help: "Penalties taken from our master's stake, by why (lapsed, rejected: the agreement refused our result) and where they went (client, burned)",
      labelNames: ["reason", "to"],
      registers,
    }),
    earningsWei: new Counter({ name: "gpunexus_earnings_wei_total", help: "Net payouts for this provider's responses (wei)", registers }),
    taskLatency: new Histogram({
      name: "gpunexus_task_latency_seconds",
      help: "From the task's publication block to the response being mined",
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    }),
    inflight: new Gauge({ name: "gpunexus_inflight", help: "Tasks being processed now", registers }),
  };
}

export type HealthReport = {
  status: "ok" | "unhealthy";
  chainHead: string | null;
  cursor: string | null;
  inflight: number;
  error?: string | undefined;
};

export type StartMetricsServerParameters = {
  host: string;
  port: number;
  metrics: NodeMetrics;
  health: () => Promise<HealthReport>;
};

export type MetricsServer = { url: string; port: number; close: () => Promise<void> };

/** GET /health → 200 or 503 with a HealthReport; GET /metrics → Prometheus text. */
export async function startMetricsServer(parameters: StartMetricsServerParameters): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://node").pathname;
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(body);
    };
    if (request.method !== "GET") return send(405, "text/plain", "GET only\n");
    if (path === "/health") {
      parameters
        .health()
        .then((report) => send(report.status === "ok" ? 200 : 503, "application/json", JSON.stringify(report)))
        .catch((error: unknown) => send(503, "application/json", JSON.stringify({ status: "unhealthy", error: String(error) })));
      return;
    }
    if (path === "/metrics") {
      parameters.metrics.registry
        .metrics()
        .then((text) => send(200, parameters.metrics.registry.contentType, text))
        .catch((error: unknown) => send(500, "text/plain", String(error)));
      return;
    }
    send(404, "text/plain", "GET /health or /metrics\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(parameters.port, parameters.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = parameters.host.includes(":") ? `[${parameters.host}]` : parameters.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
