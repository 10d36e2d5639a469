/**
 * Prometheus metrics of one service instance: default process metrics and an HTTP request histogram.
 * One registry per instance (not prom-client's global one), so two instances in one test process do
 * not collide.
 */
import { collectDefaultMetrics, Histogram, Registry } from "prom-client";

export interface ServiceMetrics {
    registry: Registry;
    httpDuration: Histogram<"method" | "route" | "status">;
}

export function createMetrics(service: string): ServiceMetrics {
    const registry = new Registry();
    registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: registry });
    const httpDuration = new Histogram({
        name: "http_request_duration_seconds",
        help: "Duration of HTTP requests on the application port, by method, route pattern and status",
        // Route patterns (`/catalog/:id`), never raw paths: ids would explode the label cardinality.
        labelNames: ["method", "route", "status"] as const,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
    });
    return { registry, httpDuration };
}
