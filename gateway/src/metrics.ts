import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type UpstreamErrorKind = 'connect_timeout' | 'response_timeout' | 'unavailable' | 'aborted';

/** Prometheus metrics of one gateway instance (own registry, so several can share a process in tests). */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'code'>;
  private readonly duration: Histogram;
  private readonly upstreamErrors: Counter<'kind'>;
  private readonly requestsByCode = new Map<number, { inc(): void }>();

  constructor(labels: Record<string, string>) {
    this.registry.setDefaultLabels(labels);
    collectDefaultMetrics({ register: this.registry, prefix: 'gateway_process_' });
    this.requests = new Counter({
      name: 'gateway_requests_total',
      help: 'Requests answered by the gateway, by HTTP status code',
      labelNames: ['code'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'gateway_request_duration_seconds',
      help: 'Time from request received to response finished, backend time included',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    this.upstreamErrors = new Counter({
      name: 'gateway_upstream_errors_total',
      help: 'Failed calls to the backend, by kind',
      labelNames: ['kind'],
      registers: [this.registry],
    });
  }

  recordRequest(status: number, seconds: number): void {
    let counter = this.requestsByCode.get(status);
    if (!counter) {
      counter = this.requests.labels(String(status));
      this.requestsByCode.set(status, counter);
    }
    counter.inc();
    this.duration.observe(seconds);
  }

  recordUpstreamError(kind: UpstreamErrorKind): void {
    this.upstreamErrors.labels(kind).inc();
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
