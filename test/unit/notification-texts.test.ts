import { describe, expect, it } from 'vitest';
import { recipientSchema } from '../../config/schema.ts';
import { dingtalkSignedUrl, signWebhook } from '../../notify/channels/webhooks.ts';
import { releaseTime, subscribes } from '../../notify/routing.ts';
import { exceedanceMultiple, renderMessage, singleLine, type NotificationItem } from '../../notify/templates.ts';

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
    expect(m.text).toContain('近24小时：09时 0.92 · 10时 2.31');
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
    const burst = renderMessage([nh3Alert('2.31'), nh3Alert('1.5')], { language: 'zh-CN' });
    expect(burst.subject).toBe('【环境监测告警】2 条：【超标预警】磁窑河武良断面 氨氮 2.31 mg/L，超Ⅲ类标准限值(1.0) 1.31倍 等');
    expect(renderMessage([nh3Alert('2.31')], { language: 'en' }).subject).toBe('[Exceedance] Ciyao River, Wuliang Ammonia nitrogen 2.31 mg/L, over the limit (1.0) by 1.31×');
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
