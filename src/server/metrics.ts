/**
 * A small Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms
 * with labels, enough for `/metrics`. Each worker process keeps its own; Prometheus sums them.
 */

type Labels = Record<string, string | number>;

function labelText(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  const parts = keys.map(
    (k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return `{${parts.join(',')}}`;
}

interface Metric {
  readonly name: string;
  readonly help: string;
  render(): string;
}

/** A monotonically increasing count, per label set. */
export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** @example metrics.renders.inc({ format: 'wav' }) */
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  /** Current value for a label set (0 when never counted). */
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels)) ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [k, v] of this.values) lines.push(`${this.name}${k} ${v}`);
    return lines.join('\n');
  }
}

/** A value that goes up and down (open sessions). */
export class Gauge implements Metric {
  private value = 0;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** @example metrics.sessions.inc() */
  inc(by = 1): void {
    this.value += by;
  }

  dec(by = 1): void {
    this.value -= by;
  }

  set(v: number): void {
    this.value = v;
  }

  get(): number {
    return this.value;
  }

  render(): string {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} gauge`,
      `${this.name} ${this.value}`,
    ].join('\n');
  }
}

/** Cumulative buckets of observed values (seconds), per label set. */
export class Histogram implements Metric {
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  /** @example metrics.latency.observe({ route: '/health' }, 0.002) */
  observe(labels: Labels, value: number): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => {
        lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: b })} ${s.counts[i]}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines.join('\n');
  }
}

/** The metrics of one server process. */
export class Metrics {
  readonly requests = new Counter(
    'omnisonic_http_requests_total',
    'HTTP requests by method, route and status',
  );
  readonly latency = new Histogram(
    'omnisonic_http_request_duration_seconds',
    'HTTP request latency by route',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  );
  readonly cacheHits = new Counter('omnisonic_cache_hits_total', 'audio responses served from the cache');
  readonly cacheMisses = new Counter('omnisonic_cache_misses_total', 'audio responses rendered (cache miss)');
  readonly cacheErrors = new Counter(
    'omnisonic_cache_errors_total',
    'cache store failures (served uncached)',
  );
  readonly renders = new Counter('omnisonic_renders_total', 'audio renders by endpoint and format');
  readonly renderSeconds = new Counter('omnisonic_rendered_audio_seconds_total', 'seconds of audio rendered');
  /** Open WebSocket sessions: the WS plugin calls `metrics.sessions.inc()` / `.dec()`. */
  readonly sessions = new Gauge('omnisonic_ws_sessions', 'open WebSocket audio sessions');

  /** More metrics in text exposition (the job pool's counters). */
  readonly extra: (() => string)[] = [];

  private readonly all: Metric[] = [
    this.requests,
    this.latency,
    this.cacheHits,
    this.cacheMisses,
    this.cacheErrors,
    this.renders,
    this.renderSeconds,
    this.sessions,
  ];

  /** Prometheus text exposition. */
  render(): string {
    const mem = process.memoryUsage();
    const extra = [
      '# HELP process_resident_memory_bytes resident memory of this process',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${mem.rss}`,
    ];
    return `${[...this.all.map((m) => m.render()), ...this.extra.map((f) => f()), extra.join('\n')].join('\n')}\n`;
  }
}
