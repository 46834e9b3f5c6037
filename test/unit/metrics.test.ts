/**
 * The metrics registry on its own: open alerts never vanish into "no series", a queue whose backend is away is
 * reported as not counted (never as empty), the HJ 212 listener counts its connections and frames, and the sample
 * alerting rules and the README name only metrics that exist.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.ts';
import { freePort } from '../../lib/free-port.ts';
import { createMetrics, type Metrics } from '../../lib/metrics.ts';
import { frame } from '../../sources/hj212/packet.ts';
import { startHj212Listener } from '../../sources/hj212/tcp-listener.ts';
import { createQueueBackend } from '../../workers/queue-backend.ts';
import { waitFor } from '../support/wait-for.ts';

async function values(metrics: Metrics): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  for (const line of (await metrics.registry.metrics()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

const pick = (map: Map<string, number>, prefix: string) => [...map].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => a.localeCompare(b));

const empty = { readingsStored: 0, openAlerts: [], notificationsPending: 0, deliveriesPending: 0, deliveriesFailed: 0, evaluationsPending: 0, evaluationsPendingSince: null, quarantinePending: [], sources: [] };

describe('open alerts', () => {
  it('shows every severity and open state at 0 when nothing is open', async () => {
    const metrics = createMetrics();
    metrics.setDatabaseSnapshot(empty);
    expect(pick(await values(metrics), 'envmon_alerts_open{')).toEqual([
      ['envmon_alerts_open{severity="critical",state="firing"}', 0],
      ['envmon_alerts_open{severity="critical",state="pending"}', 0],
      ['envmon_alerts_open{severity="info",state="firing"}', 0],
      ['envmon_alerts_open{severity="info",state="pending"}', 0],
      ['envmon_alerts_open{severity="warning",state="firing"}', 0],
      ['envmon_alerts_open{severity="warning",state="pending"}', 0],
    ]);
  });

  it('keeps the other severities at 0 beside one that is open, and forgets what went away', async () => {
    const metrics = createMetrics();
    metrics.setDatabaseSnapshot({ ...empty, openAlerts: [{ severity: 'warning', state: 'firing', count: 3 }], quarantinePending: [{ code: 'malformed', count: 2 }] });
    metrics.setDatabaseSnapshot({ ...empty, openAlerts: [{ severity: 'warning', state: 'firing', count: 1 }] });
    const v = await values(metrics);
    expect(pick(v, 'envmon_alerts_open{').map(([, n]) => n)).toEqual([0, 0, 0, 0, 1, 0]);
    // The quarantine code discarded since the earlier scrape is gone, not stuck at its old value.
    expect(pick(v, 'envmon_quarantine_pending')).toEqual([]);
  });
});

describe('queue depth', () => {
  it('reports a queue whose Redis is away as not counted, with no depth that would read as empty', async () => {
    const port = await freePort();
    const backend = createQueueBackend({ redisUrl: `redis://127.0.0.1:${port}`, databaseUrl: 'postgres://unused', prefix: 'metrics-unit', log: { warn: () => undefined } });
    const queue = backend.createQueue('pull');
    queue.on('error', () => undefined);
    try {
      const metrics = createMetrics();
      metrics.watchQueues(new Map([['pull', queue]]));
      await metrics.countQueues();
      const v = await values(metrics);
      expect(v.get('envmon_queue_up{queue="pull"}')).toBe(0);
      expect(pick(v, 'envmon_queue_jobs{')).toEqual([]);
    } finally {
      await queue.close().catch(() => undefined);
      await backend.close();
    }
  });
});

describe('HJ 212 listener', () => {
  const MN = 'WL0000000000000000000001';
  const upload = (qn: string) => frame(`QN=${qn};ST=21;CN=2061;PW=pw;MN=${MN};Flag=4;CP=&&DataTime=20261122090000;w21003-Avg=1.1,w21003-Flag=N&&`);

  it('counts connections accepted, open and refused, and frames by outcome', async () => {
    const metrics = createMetrics();
    const handed: number[] = [];
    const listener = await startHj212Listener(
      {
        host: '127.0.0.1',
        port: 0,
        stations: [{ mn: MN, site: 'S1', password: 'pw' }],
        maxConnections: 10,
        maxConnectionsPerAddress: 1,
        maxDataLength: 1024,
        idleTimeoutMs: 10_000,
        frameTimeoutMs: 10_000,
        packetsPerMinute: 100,
        maxGarbageBytes: 4096,
        maxRejectedFrames: 10,
        lockout: { afterFailures: 5, initialMs: 60_000, maxMs: 3_600_000 },
        rejectionBatch: { maxItems: 1, maxDelayMs: 10 },
        metrics: metrics.hj212('wl-listener'),
      },
      { onRecord: async () => void handed.push(1), onRejected: async () => void handed.push(0), onLockout: async () => undefined },
      createLogger({ level: 'error', write: () => undefined }),
    );
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const s = connect(listener.address().port, '127.0.0.1', () => resolve(s));
        s.on('error', reject);
      });
    try {
      const first = await open();
      // One upload that passes every check, one with its CRC broken, one from a station nobody configured.
      const bad = upload('20261122100000002').replace(/[0-9A-F]{4}\r\n$/, '0000\r\n');
      const stranger = frame(`QN=20261122100000003;ST=21;CN=2061;PW=pw;MN=XX0000000000000000000009;Flag=4;CP=&&DataTime=20261122090000;w21003-Avg=1.1&&`);
      first.write(upload('20261122100000001') + bad + stranger);
      await waitFor('the upload and both rejections handed on', async () => handed.length === 3);
      // A second connection from the same address is over its limit of one: refused unread.
      const second = await open();
      await new Promise((resolve) => second.once('close', resolve));
      let v = await values(metrics);
      expect(v.get('envmon_hj212_connections_accepted_total{source="wl-listener"}')).toBe(1);
      expect(v.get('envmon_hj212_connections_refused_total{source="wl-listener",reason="address_limit"}')).toBe(1);
      expect(v.get('envmon_hj212_connections_open{source="wl-listener"}')).toBe(1);
      expect(pick(v, 'envmon_hj212_frames_total')).toEqual([
        ['envmon_hj212_frames_total{source="wl-listener",outcome="accepted"}', 1],
        ['envmon_hj212_frames_total{source="wl-listener",outcome="rejected"}', 2],
      ]);
      first.destroy();
      await waitFor('the first connection to be gone', async () => (await values(metrics)).get('envmon_hj212_connections_open{source="wl-listener"}') === 0);
      v = await values(metrics);
      expect(v.get('envmon_hj212_connections_accepted_total{source="wl-listener"}')).toBe(1);
    } finally {
      await listener.close();
    }
  });
});

describe('documentation', () => {
  const root = path.resolve(import.meta.dirname, '../..');

  it('has alerting rules that parse and use only metrics envmon exposes, each in the README table', async () => {
    const rules = parse(readFileSync(path.join(root, 'docs/prometheus-alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string; for?: string }[] }[] };
    const list = rules.groups.flatMap((g) => g.rules);
    expect(list.map((r) => r.alert)).toEqual(expect.arrayContaining(['EnvmonDown', 'EnvmonAbsent', 'EnvmonSourceNotSucceeding', 'EnvmonEvaluationsPendingTooLong', 'EnvmonNotificationDeliveriesFailed', 'EnvmonQueueBacklogGrowing', 'EnvmonQuarantineGrowingFast']));
    const metrics = createMetrics();
    metrics.setDatabaseSnapshot(empty);
    const exposed = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    // Every metric of envmon's own (not prom-client's process metrics) has its row in the README's table.
    const own = exposed.filter((name) => !/^envmon_(process|nodejs)_/.test(name));
    expect(own.length).toBeGreaterThan(20);
    for (const name of own) expect(readme, `${name} in the README`).toContain(`| \`${name}\` |`);
    for (const rule of list) {
      for (const name of rule.expr.match(/envmon_[a-z0-9_]+/g) ?? []) {
        expect(exposed, `${rule.alert}: ${name}`).toContain(name);
        expect(readme, `${name} in the README`).toContain(`| \`${name}\` |`);
      }
    }
  });
});
