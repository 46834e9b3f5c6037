/**
 * 告警 and 运维 in the console, through the real server, sessions, CSRF and guards on a real database: an operator
 * acknowledges and silences alerts, replays and discards quarantined input, disables and enables a source and sends
 * a failed delivery again — each change with its audit entry — while a viewer and a request without the CSRF token
 * change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAlert } from '../../db/repositories/alerts.repository.ts';
import { startConsoleServer, type ConsoleTestServer } from '../support/console-server.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let database: TestDatabase;
let server: ConsoleTestServer;
let operator: { cookie: string; csrf: string; userId: number };
let viewer: { cookie: string; csrf: string; userId: number };

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startConsoleServer({ databaseUrl: database.url });
  operator = await server.signIn('operator', 'wang.gong');
  viewer = await server.signIn('viewer', 'li.si');
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

const form = (fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
  return body.toString();
};

async function post(path: string, who: { cookie: string } | null, fields: Record<string, string | string[]>) {
  return server.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', ...(who ? { cookie: who.cookie } : {}) }, payload: form(fields) });
}

async function get(path: string, who: { cookie: string } | null) {
  return server.app.inject({ method: 'GET', url: path, headers: who ? { cookie: who.cookie } : {} });
}

/** A firing NH3-N exceedance at 乌良 (JC-SW-WULIANG): 1.52 mg/L against the Ⅲ类 limit 1.0 mg/L. */
async function firingAlert(state: 'firing' | 'resolved' = 'firing'): Promise<number> {
  const site = await database.db.selectFrom('site').select('id').where('code', '=', 'JC-SW-WULIANG').executeTakeFirstOrThrow();
  const parameter = await database.db.selectFrom('parameter').select('id').where('code', '=', 'nh3_n').executeTakeFirstOrThrow();
  const at = new Date('2026-12-01T02:00:00Z');
  return database.db.transaction().execute(async (trx) =>
    insertAlert(trx, {
      dedupKey: `wuliang-nh3n-${Math.random()}`,
      ruleId: 'wuliang-nh3n-class3',
      siteId: site.id,
      parameterId: parameter.id,
      state,
      severity: 'warning',
      at,
      late: false,
      evidence: { kind: 'threshold', parameter: 'nh3_n', value: '1.52', limit: '1.0', clearAt: '0.9', direction: '>', observedAt: at.toISOString() },
      ...(state === 'resolved' ? { resolvedAt: new Date('2026-12-01T05:00:00Z') } : {}),
    }),
  );
}

const alertRow = (id: number) => database.db.selectFrom('alert').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const auditOf = (target: string) => database.db.selectFrom('audit_log').selectAll().where('target', '=', target).orderBy('id').execute();

describe('alerts', () => {
  it('lists an open alert with its value against its limit, in units', async () => {
    const id = await firingAlert();
    const page = await get('/alerts', viewer);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/alerts/${id}"`);
    expect(page.body).toContain('1.52 mg/L');
    expect(page.body).toContain('1.0 mg/L');
    expect(page.body).toContain('告警中');
    const en = await get('/alerts?lang=en', viewer);
    expect(en.body).toContain('firing');
    expect(page.body).not.toContain('最近拉取失败');
  });

  it('warns on the alert list while a source is failing', async () => {
    await database.db.updateTable('source').set({ consecutive_failures: 3, last_error: 'HTTP 502' }).where('id', '=', 'beijing-replay').execute();
    try {
      const page = await get('/alerts', viewer);
      expect(page.body).toContain('注意：数据源 beijing-replay 最近拉取失败');
    } finally {
      await database.db.updateTable('source').set({ consecutive_failures: 0, last_error: null }).where('id', '=', 'beijing-replay').execute();
    }
  });

  it('lets an operator acknowledge an alert with a note, recorded in the audit trail', async () => {
    const id = await firingAlert();
    const answer = await post(`/alerts/${id}/ack`, operator, { _csrf: operator.csrf, note: '采样管路清洗中 <b>' });
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe(`/alerts/${id}?done=ack`);
    const row = await alertRow(id);
    expect(row.acknowledged_by).toBe('wang.gong');
    expect(row.ack_note).toBe('采样管路清洗中 <b>');
    expect(row.acknowledged_at).not.toBeNull();
    const audit = await auditOf(`alert:${id}`);
    expect(audit).toEqual([expect.objectContaining({ user_id: operator.userId, user_name: 'wang.gong', action: 'alert.acknowledge', detail: { note: '采样管路清洗中 <b>' } })]);
    const page = await get(answer.headers.location as string, operator);
    expect(page.body).toContain('已确认该告警。');
    expect(page.body).toContain('采样管路清洗中 &lt;b&gt;');
    expect(page.body).not.toContain('采样管路清洗中 <b>');
  });

  it('refuses a viewer’s acknowledgement and changes nothing; the viewer sees no forms', async () => {
    const id = await firingAlert();
    const page = await get(`/alerts/${id}`, viewer);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(`action="/alerts/${id}/ack"`);
    expect(page.body).not.toContain(`action="/alerts/${id}/silence"`);
    const answer = await post(`/alerts/${id}/ack`, viewer, { _csrf: viewer.csrf, note: 'x' });
    expect(answer.statusCode).toBe(403);
    const silence = await post(`/alerts/${id}/silence`, viewer, { _csrf: viewer.csrf, period: '4h', reason: 'x' });
    expect(silence.statusCode).toBe(403);
    expect((await alertRow(id)).acknowledged_at).toBeNull();
    expect(await auditOf(`alert:${id}`)).toEqual([]);
    expect(await database.db.selectFrom('silence').select('id').where('reason', '=', 'x').execute()).toEqual([]);
  });

  it('refuses an operator’s POST without the CSRF token', async () => {
    const id = await firingAlert();
    expect((await post(`/alerts/${id}/ack`, operator, { note: 'no token' })).statusCode).toBe(403);
    expect((await post(`/alerts/${id}/ack`, operator, { _csrf: 'not-the-token', note: 'wrong token' })).statusCode).toBe(403);
    expect((await alertRow(id)).acknowledged_at).toBeNull();
    expect(await auditOf(`alert:${id}`)).toEqual([]);
  });

  it('silences the alert’s rule at its site and parameter for the period chosen, with the reason, audited', async () => {
    const id = await firingAlert();
    const before = Date.now();
    const answer = await post(`/alerts/${id}/silence`, operator, { _csrf: operator.csrf, period: '4h', reason: '断面采水泵检修' });
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe(`/alerts/${id}?done=silence`);
    const silences = await database.db.selectFrom('silence').selectAll().where('reason', '=', '断面采水泵检修').execute();
    expect(silences).toHaveLength(1);
    const silence = silences[0];
    expect(silence?.matcher).toEqual({ rule: 'wuliang-nh3n-class3', site: 'JC-SW-WULIANG', parameter: 'nh3_n' });
    expect(silence?.created_by).toBe('wang.gong');
    expect((silence?.ends_at.getTime() ?? 0) - (silence?.starts_at.getTime() ?? 0)).toBe(4 * 3_600_000);
    expect(silence?.starts_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const audit = await auditOf(`alert:${id}`);
    expect(audit).toEqual([expect.objectContaining({ action: 'alert.silence', user_id: operator.userId })]);
    expect(audit[0]?.detail).toMatchObject({ silenceId: silence?.id, reason: '断面采水泵检修', matcher: silence?.matcher });
    const page = await get(`/alerts/${id}`, viewer);
    expect(page.body).toContain('已静默');
  });

  it('refuses a silence without a reason or with a period not offered', async () => {
    const id = await firingAlert();
    const noReason = await post(`/alerts/${id}/silence`, operator, { _csrf: operator.csrf, period: '4h', reason: ' ' });
    expect(noReason.headers.location).toBe(`/alerts/${id}?error=reason`);
    const tooLong = await post(`/alerts/${id}/silence`, operator, { _csrf: operator.csrf, period: '365d', reason: 'year' });
    expect(tooLong.headers.location).toBe(`/alerts/${id}?error=period`);
    expect(await auditOf(`alert:${id}`)).toEqual([]);
    expect((await get(`/alerts/${id}?error=period`, operator)).body).toContain('请选择静默时长（最长 90 天）。');
  });

  it('shows a resolved alert without the acknowledge form, and refuses to acknowledge it', async () => {
    const id = await firingAlert('resolved');
    const page = await get(`/alerts/${id}`, operator);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('已恢复');
    expect(page.body).not.toContain(`action="/alerts/${id}/ack"`);
    const open = await firingAlert();
    expect((await get(`/alerts/${open}`, operator)).body).toContain(`action="/alerts/${open}/ack"`);
    const answer = await post(`/alerts/${id}/ack`, operator, { _csrf: operator.csrf, note: 'late' });
    expect(answer.headers.location).toBe(`/alerts/${id}?error=resolved`);
    expect((await alertRow(id)).acknowledged_at).toBeNull();
  });

  it('answers 404 for an alert that does not exist', async () => {
    expect((await get('/alerts/999999', viewer)).statusCode).toBe(404);
    expect((await get('/alerts/abc', viewer)).statusCode).toBe(404);
    expect((await post('/alerts/999999/ack', operator, { _csrf: operator.csrf, note: 'x' })).statusCode).toBe(404);
  });
});

describe('operations', () => {
  it('refuses a viewer every operations page', async () => {
    for (const path of ['/operations', '/operations/sources', '/operations/quarantine', '/operations/deliveries', '/operations/audit', '/operations/queues']) {
      expect((await get(path, viewer)).statusCode, path).toBe(403);
      expect((await get(path, operator)).statusCode, path).toBe(200);
    }
  });

  it('replays a quarantined reading once its site exists, storing it, and discards another', async () => {
    const detail = { site: 'JC-NEW-1', parameter: 'pm2_5', period: 'hour', observedAt: '2026-11-30T04:00:00.000Z', value: '35', unit: 'μg/m³', flag: 'N' };
    const item = await database.db.insertInto('quarantine').values({ source_id: null, code: 'unknown_site', reason: 'unknown site "JC-NEW-1"', detail: JSON.stringify(detail), raw: 'JC-NEW-1,<script>alert(1)</script>,35' }).returning('id').executeTakeFirstOrThrow();
    const junk = await database.db.insertInto('quarantine').values({ source_id: null, code: 'malformed', reason: 'row has 3 cells, header has 22', detail: JSON.stringify({}), raw: '2022-03-07T12:00:00,9999A,1' }).returning('id').executeTakeFirstOrThrow();

    const list = await get('/operations/quarantine?code=unknown_site', operator);
    expect(list.body).toContain('JC-NEW-1,&lt;script&gt;alert(1)&lt;/script&gt;,35');
    expect(list.body).not.toContain('<script>alert(1)');
    expect(list.body).not.toContain(`value="${junk.id}"`);
    // The code by its Chinese name, the code itself (what the filter takes) beneath it.
    expect(list.body).toContain('<td>未知站点<br><code class="muted">unknown_site</code></td>');

    await database.db.insertInto('site').values({ code: 'JC-NEW-1', name_zh: '新站', name_en: 'New station', kind: 'air_station', area: '交城县' }).execute();
    const replay = await post('/operations/quarantine/replay', operator, { _csrf: operator.csrf, id: String(item.id) });
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toContain('stored=1');
    const reading = await database.db.selectFrom('reading').innerJoin('site', 'site.id', 'reading.site_id').select(['reading.value', 'reading.observed_at']).where('site.code', '=', 'JC-NEW-1').execute();
    expect(reading).toEqual([{ value: '35', observed_at: new Date('2026-11-30T04:00:00.000Z') }]);
    expect((await database.db.selectFrom('quarantine').select('status').where('id', '=', item.id).executeTakeFirstOrThrow()).status).toBe('replayed');
    expect(await auditOf(`quarantine:${item.id}`)).toEqual([expect.objectContaining({ action: 'quarantine.replay', user_id: operator.userId })]);

    const discard = await post('/operations/quarantine/discard', operator, { _csrf: operator.csrf, id: String(junk.id), note: 'installer test packets' });
    expect(discard.headers.location).toBe('/operations/quarantine?done=discard&n=1');
    const closed = await database.db.selectFrom('quarantine').select(['status', 'resolution']).where('id', '=', junk.id).executeTakeFirstOrThrow();
    expect(closed).toEqual({ status: 'discarded', resolution: 'installer test packets' });
    expect(await auditOf(`quarantine:${junk.id}`)).toEqual([expect.objectContaining({ action: 'quarantine.discard', detail: { ids: [junk.id], note: 'installer test packets' } })]);

    // A viewer's discard changes nothing.
    const other = await database.db.insertInto('quarantine').values({ source_id: null, code: 'malformed', reason: 'r', detail: JSON.stringify({}), raw: 'x' }).returning('id').executeTakeFirstOrThrow();
    expect((await post('/operations/quarantine/discard', viewer, { _csrf: viewer.csrf, id: String(other.id) })).statusCode).toBe(403);
    expect((await database.db.selectFrom('quarantine').select('status').where('id', '=', other.id).executeTakeFirstOrThrow()).status).toBe('pending');
  });

  it('shows how far a source’s data and its evaluation have got', async () => {
    const site = await database.db.selectFrom('site').select('id').where('code', '=', 'JC-SW-WULIANG').executeTakeFirstOrThrow();
    const parameters = await database.db.selectFrom('parameter').select('id').where('code', 'in', ['nh3_n', 'tp']).orderBy('code').execute();
    const [nh3n, tp] = parameters.map((p) => p.id);
    if (nh3n === undefined || tp === undefined) throw new Error('parameters missing');
    await database.db.insertInto('source_series').values([
      { source_id: 'water-simulator', site_id: site.id, parameter_id: nh3n, first_at: '2026-11-29T00:00:00Z', latest_at: '2026-11-30T04:00:00Z' },
      { source_id: 'water-simulator', site_id: site.id, parameter_id: tp, first_at: '2026-11-29T00:00:00Z', latest_at: '2026-11-30T03:00:00Z' },
    ]).execute();
    await database.db.insertInto('series_watermark').values([
      { site_id: site.id, parameter_id: nh3n, latest_hour: new Date('2026-11-30T04:00:00Z') },
      { site_id: site.id, parameter_id: tp, latest_hour: new Date('2026-11-30T02:00:00Z') },
    ]).execute();
    const page = await get('/operations/sources', operator);
    const row = page.body.split('<tr').find((r) => r.includes('<code>water-simulator</code>')) ?? '';
    // Latest delivered 04:00Z = 12:00 Beijing; the slowest series (tp) evaluated to 02:00Z = 10:00 Beijing.
    expect(row).toContain('<time datetime="2026-11-30T04:00:00.000Z">2026-11-30 12:00</time>');
    expect(row).toContain('<time datetime="2026-11-30T02:00:00.000Z">2026-11-30 10:00</time>');
    expect(row).toContain('<td>水质模拟<br><code class="muted">water-simulator</code></td>');
  });

  it('disables and enables a source, kept as the operator’s choice and audited', async () => {
    const page = await get('/operations/sources', operator);
    expect(page.body).toContain('action="/operations/sources/water-simulator/disable"');
    const off = await post('/operations/sources/water-simulator/disable', operator, { _csrf: operator.csrf });
    expect(off.statusCode).toBe(303);
    expect((await database.db.selectFrom('source').select('operator_enabled').where('id', '=', 'water-simulator').executeTakeFirstOrThrow()).operator_enabled).toBe(false);
    expect((await get(off.headers.location as string, operator)).body).toContain('已停用数据源 water-simulator。');
    await post('/operations/sources/water-simulator/enable', operator, { _csrf: operator.csrf });
    expect((await database.db.selectFrom('source').select('operator_enabled').where('id', '=', 'water-simulator').executeTakeFirstOrThrow()).operator_enabled).toBe(true);
    expect((await auditOf('source:water-simulator')).map((a) => a.action)).toEqual(['source.disable', 'source.enable']);
    expect((await post('/operations/sources/no-such-source/disable', operator, { _csrf: operator.csrf })).statusCode).toBe(404);
  });

  it('sends a failed delivery again', async () => {
    const outbox = await database.db.insertInto('notification_outbox').values({ kind: 'alert', alert_id: null, dedup_key: 'test:retry', payload: JSON.stringify({}) }).returning('id').executeTakeFirstOrThrow();
    await database.db.updateTable('notification_outbox').set({ status: 'failed' }).where('id', '=', outbox.id).execute();
    const delivery = await database.db.insertInto('notification_delivery').values({ outbox_id: outbox.id, recipient: 'duty@example.org', channel: 'email' }).returning('id').executeTakeFirstOrThrow();
    await database.db.updateTable('notification_delivery').set({ status: 'failed', attempts: 5, last_error: '550 mailbox unavailable' }).where('id', '=', delivery.id).execute();

    const page = await get('/operations/deliveries?status=failed', operator);
    expect(page.body).toContain('550 mailbox unavailable');
    // Status, kind and channel by their Chinese names.
    const row = page.body.split('<tr').find((r) => r.includes('550 mailbox unavailable')) ?? '';
    expect(row).toContain('<span class="state state-failed">失败</span></td><td>告警</td>');
    expect(row).toContain('<td>duty@example.org</td><td>邮件</td>');
    const answer = await post('/operations/deliveries/retry', operator, { _csrf: operator.csrf, id: String(delivery.id) });
    expect(answer.statusCode).toBe(303);
    const stored = await database.db.selectFrom('notification_delivery').select(['status', 'attempts', 'last_error']).where('id', '=', delivery.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'pending', attempts: 0, last_error: null });
    expect((await database.db.selectFrom('notification_outbox').select('status').where('id', '=', outbox.id).executeTakeFirstOrThrow()).status).toBe('pending');
    expect(await auditOf(`delivery:${delivery.id}`)).toEqual([expect.objectContaining({ action: 'delivery.retry', user_id: operator.userId })]);
  });

  it('shows the audit trail to an operator', async () => {
    const page = await get('/operations/audit?action=source.', operator);
    expect(page.body).toContain('source.disable');
    expect(page.body).not.toContain('alert.acknowledge');
  });

  it('says the queues cannot be read when the process holds none', async () => {
    const page = await get('/operations/queues', operator);
    expect(page.body).toContain('此进程没有任务队列的连接，无法读取队列。');
  });
});
