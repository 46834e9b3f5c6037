/** The figures of bench:grid: latency percentiles and their lines. */

/** One look at the pipeline during the run. */
export interface Sample {
  at: number;
  /** Simulated time then (ms). */
  sim: number;
  stored: number;
  sent: number;
  acked: number;
  ingest: number;
  derive: number;
  evaluate: number;
  notify: number;
}

/** Nearest-rank percentiles (p50, p95) and the maximum; zeros for no values. */
export function percentiles(values: readonly number[]): { p50: number; p95: number; max: number; n: number } {
  if (values.length === 0) return { p50: 0, p95: 0, max: 0, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
  return { p50: rank(0.5), p95: rank(0.95), max: sorted.at(-1) ?? 0, n: sorted.length };
}

const line = (name: string, values: readonly number[]) => {
  const p = percentiles(values);
  return `  ${name}: p50 ${p.p50.toFixed(1)} s, p95 ${p.p95.toFixed(1)} s, max ${p.max.toFixed(1)} s (${p.n} alerts)`;
};

/**
 * Per alert: from the hour's data complete (`receivedAt`) to the evaluation that fired it committed, to its mail
 * accepted by the SMTP server, and the whole way.
 */
export function printLatencies(out: (l: string) => void, alerts: readonly { code: string; message_id: string | null }[], receivedAt: number, commits: ReadonlyMap<string, number>, mailAt: ReadonlyMap<string, number>, expected: number): void {
  const toAlert: number[] = [];
  const toMail: number[] = [];
  const whole: number[] = [];
  for (const a of alerts) {
    const committed = commits.get(a.code) ?? commits.get('*');
    const mailed = a.message_id ? mailAt.get(a.message_id) : undefined;
    if (committed !== undefined) toAlert.push((committed - receivedAt) / 1000);
    if (committed !== undefined && mailed !== undefined) toMail.push((mailed - committed) / 1000);
    if (mailed !== undefined) whole.push((mailed - receivedAt) / 1000);
  }
  out(`  alerts: ${alerts.length} of ${expected} expected, ${whole.length} mailed`);
  out(line('received→alert committed', toAlert));
  out(line('alert committed→mail accepted', toMail));
  out(line('received→mail accepted', whole));
}
