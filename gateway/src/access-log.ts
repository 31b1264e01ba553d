/** One access-log line; serialised as one JSON object per line. */
export interface AccessLogEntry {
  time: string;
  requestId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  consumer: string;
  tier: string;
  remote: string | undefined;
}

export type LogSink = (chunk: string) => void;

// Lines are batched and written every few milliseconds: a write per request would be a
// syscall per request on the hot path (stdout to a pipe is synchronous on Linux).
const FLUSH_INTERVAL_MS = 20;
const FLUSH_BYTES = 64 * 1024;

export class AccessLog {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly sink: LogSink) {}

  record(entry: AccessLogEntry): void {
    this.pending += JSON.stringify(entry) + '\n';
    if (this.pending.length >= FLUSH_BYTES) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    const chunk = this.pending;
    this.pending = '';
    this.sink(chunk);
  }
}

/** Operational events (config loaded/rejected, drain, key refresh) as JSON lines. */
export function eventLogger(sink: LogSink) {
  return (event: string, details: Record<string, unknown> = {}): void => {
    sink(JSON.stringify({ time: new Date().toISOString(), event, ...details }) + '\n');
  };
}
export type EventLogger = ReturnType<typeof eventLogger>;
