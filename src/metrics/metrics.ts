import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Everything GET /metrics shows (docs/API.md §10), in one registry. Module-level,
 * as prom-client intends: each process counts its own; Prometheus sums the
 * instances.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'tally_' });

export const httpRequests = new Counter({
  name: 'tally_http_requests_total',
  help: 'HTTP requests answered, by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'tally_http_request_duration_seconds',
  help: 'Time to answer an HTTP request, by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  registers: [registry],
});

export const expensesRecorded = new Counter({
  name: 'tally_expenses_recorded_total',
  help: 'Expenses recorded, by source (api, web, telegram, import)',
  labelNames: ['source'] as const,
  registers: [registry],
});

export const duplicatesAnswered = new Counter({
  name: 'tally_duplicates_total',
  help: 'Repeats answered without recording again, by layer: content (same expense), idempotency_replay (same Idempotency-Key), telegram_repeat (same update_id)',
  labelNames: ['layer'] as const,
  registers: [registry],
});

export const writeBatchSize = new Histogram({
  name: 'tally_write_batch_size',
  help: 'Writes committed together in one transaction (group commit)',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128],
  registers: [registry],
});

export const botApiFailures = new Counter({
  name: 'tally_bot_api_failures_total',
  help: 'Telegram Bot API calls that failed after retries, by method',
  labelNames: ['method'] as const,
  registers: [registry],
});

export const importRows = new Counter({
  name: 'tally_import_rows_total',
  help: 'CSV rows imported, by outcome: recorded, already_present, rejected',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
