/**
 * GET /metrics: Prometheus text with counts an operator alerts on, read from the database as it is. The rows are
 * written here by hand, so every expected figure is counted from this file.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer, type WebServer } from '../../web/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { quietLog, testConfig } from '../support/test-service.ts';
import { trackResource } from '../support/resources.ts';

let database: TestDatabase;
let server: WebServer;
let release: () => void;
let base: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await sql`insert into source (id, kind, name, schedule, consecutive_failures, last_success_at) values
    ('feed-a', 'http-json', 'A', '*/5 * * * *', 3, '2026-11-30T00:00:00Z'),
    ('feed-b', 'csv-url', 'B', '*/5 * * * *', 0, null)`.execute(db);
  await sql`insert into site (code, name_zh, name_en, kind, area) values ('S1', '站一', 'Site one', 'air_station', 'county')`.execute(db);
  await sql`insert into parameter (code, name_zh, name_en, unit, medium) values ('pm2_5', '细颗粒物', 'PM2.5', 'μg/m³', 'air')`.execute(db);
  await sql`select envmon_ensure_reading_partition('2026-10-15T00:00:00Z'), envmon_ensure_reading_partition('2026-11-15T00:00:00Z')`.execute(db);
  // Two readings in October, three in November: five in all.
  await sql`insert into reading (site_id, parameter_id, period, observed_at, value, unit, source_id)
    select s.id, p.id, 'hour', t, 35, 'μg/m³', 'feed-a' from site s, parameter p,
      unnest(array['2026-10-30T01:00:00Z', '2026-10-30T02:00:00Z', '2026-11-01T01:00:00Z', '2026-11-01T02:00:00Z', '2026-11-01T03:00:00Z']::timestamptz[]) t`.execute(db);
  // Open: two critical firing, one warning pending; one info alert is resolved and not counted.
  await sql`insert into alert (dedup_key, rule_id, state, severity, first_seen_at, last_evaluated_at) values
    ('k1', 'r', 'firing', 'critical', now(), now()), ('k2', 'r', 'firing', 'critical', now(), now()),
    ('k3', 'r', 'pending', 'warning', now(), now()), ('k4', 'r', 'resolved', 'info', now(), now())`.execute(db);
  // Outbox: two pending and one being sent are waiting; one sent is not.
  await sql`insert into notification_outbox (kind, dedup_key, payload, status) values
    ('alert', 'o1', '{}', 'pending'), ('alert', 'o2', '{}', 'pending'), ('alert', 'o3', '{}', 'sending'), ('alert', 'o4', '{}', 'sent')`.execute(db);
  await sql`insert into notification_delivery (outbox_id, recipient, channel, status)
    select id, 'duty', 'email', case dedup_key when 'o1' then 'pending' else 'sent' end from notification_outbox where dedup_key in ('o1', 'o4')`.execute(db);
  // Two deliveries failed for good (a recipient's mail and webhook of one message).
  await sql`insert into notification_delivery (outbox_id, recipient, channel, status)
    select id, 'duty', c, 'failed' from notification_outbox, unnest(array['file', 'webhook']) c where dedup_key = 'o2'`.execute(db);
  // Stored data still owing its windows or rules: two marks of one series (S1 PM2.5), the older written at
  // 2026-11-30T00:00:00Z.
  await sql`insert into windows_pending (site_id, parameter_id, span_from, span_to, run_rules, created_at)
    select s.id, p.id, '2026-11-01T00:00:00Z', '2026-11-01T03:00:00Z', true, t from site s, parameter p,
      unnest(array['2026-11-30T00:00:00Z', '2026-11-30T00:05:00Z']::timestamptz[]) t`.execute(db);
  // Quarantine: two out_of_range and one malformed wait for an operator; one discarded does not.
  await sql`insert into quarantine (source_id, code, reason, detail, raw, status) values
    ('feed-a', 'out_of_range', 'x', '{}', 'r1', 'pending'), ('feed-a', 'out_of_range', 'x', '{}', 'r2', 'pending'),
    ('feed-b', 'malformed', 'x', '{}', 'r3', 'pending'), ('feed-b', 'malformed', 'x', '{}', 'r4', 'discarded')`.execute(db);

  server = await startWebServer({ port: 0, host: '127.0.0.1' }, { db, config: testConfig({ DATABASE_URL: database.url }), parameterIds: new Map(), log: quietLog, now: () => new Date() });
  release = trackResource('metrics HTTP server');
  base = server.url;
});
afterAll(async () => {
  await server.close();
  release();
  await database.drop();
});

/** `name{labels}` → value, from Prometheus text exposition. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

async function scrape(): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${base}/metrics`);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('GET /metrics', () => {
  it('is open to scrapers and speaks the Prometheus text format', async () => {
    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    // Every sample's metric has HELP and TYPE lines (a histogram's samples are its _bucket, _sum and _count).
    const names = new Set([...samples(text).keys()].map((k) => k.replace(/\{.*$/, '')));
    for (const name of names) {
      const histogram = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
      const family = histogram !== undefined && text.includes(`# TYPE ${histogram} histogram\n`) ? histogram : name;
      expect(text).toMatch(new RegExp(`^# HELP ${family} \\S`, 'm'));
      expect(text).toMatch(new RegExp(`^# TYPE ${family} (gauge|counter|histogram)$`, 'm'));
    }
  });

  it('counts readings, open alerts by severity and state, waiting notifications, quarantine and source failures', async () => {
    const values = samples((await scrape()).text);
    expect(values.get('envmon_readings_stored')).toBe(5);
    expect(values.get('envmon_alerts_open{severity="critical",state="firing"}')).toBe(2);
    expect(values.get('envmon_alerts_open{severity="warning",state="pending"}')).toBe(1);
    expect(values.get('envmon_alerts_open{severity="info",state="firing"}')).toBe(0);
    expect(values.get('envmon_alerts_open{severity="info",state="pending"}')).toBe(0);
    expect(values.get('envmon_notifications_pending')).toBe(3);
    expect(values.get('envmon_notification_deliveries_pending')).toBe(1);
    expect(values.get('envmon_quarantine_pending{code="out_of_range"}')).toBe(2);
    expect(values.get('envmon_quarantine_pending{code="malformed"}')).toBe(1);
    expect(values.get('envmon_source_consecutive_failures{source="feed-a"}')).toBe(3);
    expect(values.get('envmon_source_consecutive_failures{source="feed-b"}')).toBe(0);
    // 2026-11-30T00:00:00Z is 1,795,996,800 s after the epoch (20,787 days × 86,400 s); never succeeded is 0.
    expect(values.get('envmon_source_last_success_timestamp_seconds{source="feed-a"}')).toBe(1_795_996_800);
    expect(values.get('envmon_source_last_success_timestamp_seconds{source="feed-b"}')).toBe(0);
  });

  it('counts deliveries failed for good, and the series whose windows or rules are still owed, with the oldest mark\'s time', async () => {
    const values = samples((await scrape()).text);
    expect(values.get('envmon_notification_deliveries_failed')).toBe(2);
    expect(values.get('envmon_evaluations_pending')).toBe(1);
    // 2026-11-30T00:00:00Z as above.
    expect(values.get('envmon_evaluations_pending_oldest_timestamp_seconds')).toBe(1_795_996_800);
  });

  it('still counts readings exactly once the partitions have statistics', async () => {
    await sql`analyze reading`.execute(database.db);
    expect(samples((await scrape()).text).get('envmon_readings_stored')).toBe(5);
  });
});
