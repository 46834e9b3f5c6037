import { describe, expect, it } from 'vitest';
import { recipientSchema } from '../../config/schema.ts';
import { dingtalkSignedUrl, signWebhook } from '../../notify/channels/webhooks.ts';
import { releaseTime, subscribes } from '../../notify/routing.ts';
import { renderMessage, singleLine, type NotificationItem } from '../../notify/templates.ts';
import { exceedanceMultiple } from '../../standards/exceedance.ts';

const wuliang = { code: 'JC-SW-WULIANG', nameZh: '磁窑河武良', nameEn: 'Ciyao River, Wuliang', kind: 'surface_water' };
const nh3Alert = (value: string, kind: NotificationItem['kind'] = 'alert'): NotificationItem => ({
  kind,
  alertId: 17,
  severity: 'warning',
  site: wuliang,
  trend: [
    { time: new Date('2026-11-20T01:00:00Z'), value: '0.92' },
    { time: new Date('2026-11-20T02:00:00Z'), value: value },
  ],
  evidence: { kind: 'threshold', rule: 'wuliang-nh3n-class3', site: 'JC-SW-WULIANG', parameter: 'nh3_n', value, time: '2026-11-20T02:00:00.000Z', window: '1h', validCount: 1, direction: '>', limit: 1, limitSource: 'GB 3838-2002 表1 Ⅲ类 氨氮 ≤ 1.0 mg/L（武良 2025 年目标 Ⅲ类）', late: false },
});

describe('notification texts', () => {
  it('writes the exceedance subject the bureau expects, with the 超标倍数 on exact decimals', () => {
    const m = renderMessage([nh3Alert('2.31')], { language: 'zh-CN' });
    expect(m.subject).toBe('【超标预警】磁窑河武良断面 氨氮 2.31 mg/L，超Ⅲ类标准限值(1.0) 1.31倍');
    expect(m.text).toContain('超标倍数：1.31');
    expect(m.text).toContain('依据：GB 3838-2002 表1 Ⅲ类 氨氮 ≤ 1.0 mg/L');
    expect(m.text).toContain('数值：2.31 mg/L（2026-11-20 10:00，北京时间）');
    expect(m.text).toContain('近24小时：09时 0.92 · 10时 2.31（mg/L）');
    expect(m.text).toContain('envmon alerts ack 17 --by 姓名');
  });

  it('rounds the multiple half to even (GB/T 8170): (1.125 − 1) / 1 = 0.125 → 0.12', () => {
    expect(exceedanceMultiple('1.125', '1')).toBe('0.12');
    expect(exceedanceMultiple('1.135', '1')).toBe('0.14');
    expect(exceedanceMultiple('0.9', '1')).toBeNull();
    expect(exceedanceMultiple('150', '75')).toBe('1');
  });

  it('says resolution, groups a burst in one message, and speaks English when asked', () => {
    expect(renderMessage([nh3Alert('0.85', 'resolution')], { language: 'zh-CN' }).subject).toBe('【恢复】磁窑河武良断面 氨氮 0.85 mg/L，已回到Ⅲ类标准限值(1.0)以内');
    const burst = renderMessage([nh3Alert('2.31'), { ...nh3Alert('1.5'), alertId: 18 }], { language: 'zh-CN' });
    // The larger exceedance leads whatever the order the alerts came in: 2.31 (1.31×) before 1.5 (0.5×).
    expect(burst.subject).toBe('【警告】【超标预警】磁窑河武良断面 氨氮 2.31 mg/L，超Ⅲ类标准限值(1.0) 1.31倍 等 2 条告警');
    expect(renderMessage([{ ...nh3Alert('1.5'), alertId: 18 }, nh3Alert('2.31')], { language: 'zh-CN' }).subject).toBe(burst.subject);
    expect(renderMessage([nh3Alert('2.31')], { language: 'en' }).subject).toBe('[Exceedance] Ciyao River, Wuliang Ammonia nitrogen 2.31 mg/L, over the limit (1.0) by 1.31×');
  });

  it('marks an alert on simulated data first, in the subject and the body, so nobody acts on it as real', () => {
    const simulated = { ...nh3Alert('2.31'), evidence: { ...nh3Alert('2.31').evidence, origin: 'simulated' } };
    const m = renderMessage([simulated], { language: 'zh-CN' });
    expect(m.subject).toBe('【模拟数据】【超标预警】磁窑河武良断面 氨氮 2.31 mg/L，超Ⅲ类标准限值(1.0) 1.31倍');
    expect(m.text.split('\n').slice(0, 2)).toEqual(['【模拟数据】【超标预警】磁窑河武良断面 氨氮 2.31 mg/L，超Ⅲ类标准限值(1.0) 1.31倍', '  数据性质：模拟数据：程序生成，不是实测，不得据以处置']);
    expect(m.html).toMatch(/<h3 style="[^"]*">【模拟数据】【超标预警】/);
    expect(m.markdown.startsWith('### 【模拟数据】【超标预警】')).toBe(true);
    expect(renderMessage([simulated], { language: 'en' }).subject).toBe('[SIMULATED] [Exceedance] Ciyao River, Wuliang Ammonia nitrogen 2.31 mg/L, over the limit (1.0) by 1.31×');
    expect(renderMessage([{ ...simulated, kind: 'resolution' }], { language: 'zh-CN' }).subject).toMatch(/^【模拟数据】【恢复】/);
    const replayed = { ...nh3Alert('2.31'), evidence: { ...nh3Alert('2.31').evidence, origin: 'replayed' } };
    expect(renderMessage([replayed], { language: 'zh-CN' }).subject).toMatch(/^【回放数据】【超标预警】/);
  });

  it('says in a burst\'s subject whether it holds demonstration data, once', () => {
    const simulated = { ...nh3Alert('2.31'), evidence: { ...nh3Alert('2.31').evidence, origin: 'simulated' } };
    const other = { ...simulated, alertId: 18 };
    const burst = renderMessage([simulated, other], { language: 'zh-CN' });
    expect(burst.subject).toBe('【模拟数据】【警告】【超标预警】磁窑河武良断面 氨氮 2.31 mg/L，超Ⅲ类标准限值(1.0) 1.31倍 等 2 条告警');
    // Each item of the body keeps its own mark.
    expect(burst.text.split('\n').filter((l) => l.startsWith('【模拟数据】【超标预警】'))).toHaveLength(2);
    expect(renderMessage([simulated, other], { language: 'en' }).subject).toBe('[SIMULATED] [Warning] [Exceedance] Ciyao River, Wuliang Ammonia nitrogen 2.31 mg/L, over the limit (1.0) by 1.31× and 1 more alert');
    // Mixed: the lead headline keeps its own mark after the burst's 【含模拟数据】.
    expect(renderMessage([nh3Alert('1.5'), simulated], { language: 'zh-CN' }).subject).toMatch(/^【含模拟数据】【警告】【模拟数据】【超标预警】磁窑河武良断面 氨氮 2.31 /);
    expect(renderMessage([nh3Alert('1.5'), nh3Alert('2.31')], { language: 'zh-CN' }).subject).toMatch(/^【警告】【超标预警】/);
  });

  it('names the seasonal limit a section exceeds when its class alone meets the target', () => {
    const item: NotificationItem = {
      kind: 'alert',
      alertId: 5,
      severity: 'warning',
      site: wuliang,
      trend: [],
      evidence: { kind: 'water_class', class: 'III', targetClass: 'III', target: 'JC-WULIANG-2025', worst: [], seasonalLimits: [{ parameter: 'nh3_n', limit: 5, value: '6.5', breached: true }], time: '2026-07-15T04:00:00.000Z' },
    };
    const m = renderMessage([item], { language: 'zh-CN' });
    expect(m.subject).toBe('【水质类别预警】磁窑河武良断面 Ⅲ类，氨氮 6.5 mg/L 超季节限值 5，目标Ⅲ类');
    expect(m.text).toContain('季节限值：氨氮 6.5 mg/L（限值 ≤ 5 mg/L，超限）');
  });

  it('writes classes as Ⅰ–Ⅴ, with units, the time of the values and a target carried past its period', () => {
    // A 14th Five-Year target (to 2025-12-31) still governing on 2026-12-01: said so, not cited as current.
    const item: NotificationItem = {
      kind: 'alert',
      alertId: 7,
      severity: 'warning',
      site: wuliang,
      trend: [],
      evidence: {
        kind: 'water_class',
        class: 'IV',
        targetClass: 'III',
        target: '交城县“十四五”生态环境保护规划（JC-WULIANG-2025，2021-01-01–2025-12-31）',
        targetValidTo: '2025-12-31',
        worst: [{ parameter: 'codmn', class: 'IV', value: '6.1' }],
        seasonalLimits: [{ parameter: 'nh3_n', limit: 8, value: '1.637', breached: false }],
        time: '2026-11-30T20:00:00.000Z',
        late: false,
      },
    };
    const m = renderMessage([item], { language: 'zh-CN' });
    expect(m.subject).toBe('【水质类别预警】磁窑河武良断面 Ⅳ类，目标Ⅲ类');
    // The class is of the parameters judged by class: NH3-N is under the special limit, said so.
    expect(m.text).toContain('断面类别：Ⅳ类（氨氮按季节特别限值考核，不参与定类）');
    expect(m.text).toContain('目标：Ⅲ类（交城县“十四五”生态环境保护规划（JC-WULIANG-2025，2021-01-01–2025-12-31）；十四五目标，2025年末到期，仍沿用）');
    expect(m.text).toContain('主要超标项目：高锰酸盐指数 6.1 mg/L（Ⅳ类）');
    expect(m.text).toContain('季节限值：氨氮 1.637 mg/L（限值 ≤ 8 mg/L，达标）');
    // 2026-11-30T20:00Z is 04:00 on 1 December, Beijing time.
    expect(m.text).toContain('监测时间：2026-12-01 04:00（北京时间）');
    expect(m.text).not.toMatch(/(?<![A-Za-z])(I{1,3}|IV|V)(?![A-Za-z])/);
    // A target in its period is cited as it is.
    const current = renderMessage([{ ...item, evidence: { ...item.evidence, time: '2025-11-30T20:00:00.000Z' } }], { language: 'zh-CN' });
    expect(current.text).toContain('目标：Ⅲ类（交城县“十四五”生态环境保护规划（JC-WULIANG-2025，2021-01-01–2025-12-31））');
  });

  it('tells a still-firing alert whose value is back within the limit from an exceedance (hysteresis)', () => {
    // wuliang-nh3n-class3: limit 1.0, clears at 0.9. 0.946 is within the limit and above the clear level.
    const reminder: NotificationItem = { ...nh3Alert('0.946', 'reminder'), evidence: { ...nh3Alert('0.946').evidence, clearAt: '0.9' } };
    const m = renderMessage([reminder], { language: 'zh-CN' });
    expect(m.subject).toBe('【持续】【超标预警】磁窑河武良断面 氨氮 0.946 mg/L，已回落至限值(1.0)以内，未达解除值 0.9，预警持续');
    expect(m.text).not.toContain('超标倍数');
    expect(m.text).toContain('解除值：0.9 mg/L');
    // A reminder is about the alert now, not late data: no （补报） on it.
    expect(renderMessage([{ ...reminder, evidence: { ...reminder.evidence, late: true } }], { language: 'zh-CN' }).subject).toBe('【持续】【超标预警】磁窑河武良断面 氨氮 0.946 mg/L，已回落至限值(1.0)以内，未达解除值 0.9，预警持续');
    expect(renderMessage([reminder], { language: 'en' }).subject).toBe('[ongoing] [Exceedance] Ciyao River, Wuliang Ammonia nitrogen 0.946 mg/L, back within the limit (1.0), not yet past the clear level 0.9; alert continues');
    // At the limit is within it; beyond it is over, with its multiple: (1.46 − 1) / 1 = 0.46.
    expect(renderMessage([{ ...reminder, evidence: { ...reminder.evidence, value: '1.000' } }], { language: 'zh-CN' }).subject).toBe('【持续】【超标预警】磁窑河武良断面 氨氮 1.000 mg/L，已回落至限值(1.0)以内，未达解除值 0.9，预警持续');
    expect(renderMessage([{ ...reminder, evidence: { ...reminder.evidence, value: '1.46' } }], { language: 'zh-CN' }).subject).toBe('【持续】【超标预警】磁窑河武良断面 氨氮 1.46 mg/L，超Ⅲ类标准限值(1.0) 0.46倍');
    // Dissolved oxygen breaches below 5 and clears at 5.5: 5.2 is back above the limit, not yet cleared.
    const doItem: NotificationItem = { ...reminder, evidence: { ...reminder.evidence, parameter: 'do', value: '5.2', direction: '<', limit: 5, clearAt: '5.5', limitSource: 'GB 3838-2002 表1 Ⅲ类 溶解氧 ≥ 5 mg/L' } };
    expect(renderMessage([doItem], { language: 'zh-CN' }).subject).toBe('【持续】【超标预警】磁窑河武良断面 溶解氧 5.2 mg/L，已回升至限值(5.0)以上，未达解除值 5.5，预警持续');
    expect(renderMessage([{ ...doItem, evidence: { ...doItem.evidence, value: '4.33' } }], { language: 'zh-CN' }).subject).toBe('【持续】【超标预警】磁窑河武良断面 溶解氧 4.33 mg/L，低于Ⅲ类标准限值(5.0)');
  });

  it('says how long and over how many samples an instrument has been flagged', () => {
    const item: NotificationItem = { kind: 'alert', alertId: 6, severity: 'info', site: wuliang, trend: [], evidence: { kind: 'instrument_state', parameter: 'codmn', flag: 'D', flaggedHours: 9, samples: 3, since: '2026-11-19T23:00:00.000Z' } };
    expect(renderMessage([item], { language: 'zh-CN' }).subject).toBe('【仪器状态】磁窑河武良断面 高锰酸盐指数 连续 9 小时数据标记为 D（3 个样本）');
  });

  it('tells a silent source from one that never delivered', () => {
    const noData = (evidence: Record<string, unknown>, kind: NotificationItem['kind'] = 'alert'): NotificationItem => ({ kind, alertId: 3, severity: 'warning', site: null, trend: [], evidence: { kind: 'no_data', rule: 'r', source: 'water-simulator', origin: 'simulated', level: 'source', site: null, parameter: null, ...evidence } });
    expect(renderMessage([noData({ silentMinutes: 400, latest: '2026-11-20T00:00:00.000Z' })], { language: 'zh-CN' }).subject).toBe('【模拟数据】【数据中断】water-simulator 已 400 分钟无数据');
    expect(renderMessage([noData({ silentMinutes: 600, latest: null, neverDelivered: true })], { language: 'zh-CN' }).subject).toBe('【模拟数据】【数据中断】water-simulator 从未收到数据（已等待 600 分钟）');
    expect(renderMessage([noData({ reason: 'no_longer_expected' }, 'resolution')], { language: 'zh-CN' }).subject).toBe('【模拟数据】【解除】water-simulator 已不在配置要求的数据范围内（配置已变更）');
    // With the source's configured name, a site and a parameter: all by name.
    const named: NotificationItem = { ...noData({ sourceName: '模拟水质数据', level: 'series', site: 'JC-SW-WULIANG', parameter: 'nh3_n', silentMinutes: 400, latest: '2026-11-20T00:00:00.000Z' }), site: wuliang };
    expect(renderMessage([named], { language: 'zh-CN' }).subject).toBe('【模拟数据】【数据中断】模拟水质数据 磁窑河武良断面 氨氮 已 400 分钟无数据');
    expect(renderMessage([{ ...named, kind: 'resolution' }], { language: 'zh-CN' }).subject).toBe('【模拟数据】【恢复】模拟水质数据 磁窑河武良断面 氨氮 数据已恢复');
  });

  it('cannot be used to inject headers or markup', () => {
    const hostile = nh3Alert('2.31');
    hostile.site = { ...wuliang, nameZh: '武良\r\nBcc: victim@example.org\r\n<script>alert(1)</script>' };
    const m = renderMessage([hostile], { language: 'zh-CN' });
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;');
    expect(singleLine('a\r\nb\u2028c')).toBe('a b c');
  });
});

describe('routing', () => {
  const recipient = recipientSchema.parse({ id: 'r', name: 'R', email: 'r@example.org', subscriptions: [{ siteKinds: ['surface_water'], minSeverity: 'warning' }], quietHours: { from: '22:00', to: '07:00' } });
  it('matches subscriptions by site kind and severity', () => {
    expect(subscribes(recipient, { rule: 'x', severity: 'warning', site: { code: 'A', kind: 'surface_water', area: 'a' }, parameter: 'nh3_n' })).toBe(true);
    expect(subscribes(recipient, { rule: 'x', severity: 'info', site: { code: 'A', kind: 'surface_water', area: 'a' }, parameter: 'nh3_n' })).toBe(false);
    expect(subscribes(recipient, { rule: 'x', severity: 'critical', site: { code: 'A', kind: 'air_station', area: 'a' }, parameter: 'pm2_5' })).toBe(false);
  });
  it('holds non-critical messages in quiet hours until they end (Beijing time, across midnight)', () => {
    const at23 = new Date('2026-11-20T15:00:00Z'); // 23:00 Beijing
    expect(releaseTime(at23, 'warning', recipient.quietHours).toISOString()).toBe('2026-11-20T23:00:00.000Z'); // 07:00 next day
    expect(releaseTime(new Date('2026-11-20T20:00:00Z'), 'warning', recipient.quietHours).toISOString()).toBe('2026-11-20T23:00:00.000Z'); // 04:00
    expect(releaseTime(at23, 'critical', recipient.quietHours)).toBe(at23);
    const noon = new Date('2026-11-20T04:00:00Z');
    expect(releaseTime(noon, 'info', recipient.quietHours)).toBe(noon);
  });
});

describe('webhook signatures', () => {
  it('signs the timestamped body, and DingTalk URLs as the robot documents (Base64 HMAC of timestamp\\nsecret)', () => {
    // Expected values computed outside the code, with OpenSSL:
    //   printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac k
    expect(signWebhook('k', 1700000000, '{"a":1}')).toBe('sha256=1b6ad1bc9bf48c52ce01939866d5877c6cc4e87ddad27e16673cb8c4964394a3');
    // DingTalk publishes the recipe (timestamp + "\n" + secret, HmacSHA256, Base64, then URL-encoded) but no fixed
    // example, so:  printf '1700000000005\nSECxyz' | openssl dgst -sha256 -hmac SECxyz -binary | base64
    // This timestamp gives a sign with "+", "/" and "=", which must reach DingTalk URL-encoded.
    const signed = dingtalkSignedUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', 'SECxyz', 1700000000005);
    const url = new URL(signed);
    expect(url.searchParams.get('access_token')).toBe('abc');
    expect(url.searchParams.get('timestamp')).toBe('1700000000005');
    expect(url.searchParams.get('sign')).toBe('/CBhI3DFdiNvci8/s+4clUGp7ded8OWhbqQm0DZTDMY=');
    expect(signed).toContain('&sign=%2FCBhI3DFdiNvci8%2Fs%2B4clUGp7ded8OWhbqQm0DZTDMY%3D');
  });
});
