/**
 * Alert mails as a duty officer reads them on a phone: the subject names what fires now, worst first, and counts
 * late-data alerts and recoveries apart; names are not doubled; units and classes are written one way; the action
 * is a console link when linkBase is set, and a recovered alert offers no ack.
 */
import { describe, expect, it } from 'vitest';
import { alertLink } from '../../notify/alert-actions.ts';
import { renderMessage, withSuffix, type NotificationItem } from '../../notify/templates.ts';

const wusu = { code: 'TY-AIR-WUSU', nameZh: '武宿', nameEn: 'Wusu', kind: 'air_station' };
const jinyuan = { code: 'TY-AIR-JINYUAN', nameZh: '晋源', nameEn: 'Jinyuan', kind: 'air_station' };
const wuliang = { code: 'JC-SW-WULIANG', nameZh: '磁窑河武良', nameEn: 'Ciyao River, Wuliang', kind: 'surface_water' };
const testSection = { code: 'TEST-SW-1', nameZh: '测试断面', nameEn: 'Test section', kind: 'surface_water' };

const pm25 = (alertId: number, site: NotificationItem['site'], value: string, severity: NotificationItem['severity'], extra: Record<string, unknown> = {}, kind: NotificationItem['kind'] = 'alert'): NotificationItem => ({
  kind,
  alertId,
  severity,
  site,
  trend: [],
  evidence: { kind: 'threshold', rule: 'pm25-1h', site: site?.code, parameter: 'pm2_5', value, time: '2026-11-20T02:00:00.000Z', window: '1h', validCount: 1, direction: '>', limit: 75, limitSource: 'GB 3095-2026 表1 二级 PM2.5 24小时平均 60 μg/m³', late: false, ...extra },
});
const nh3 = (alertId: number, value: string, extra: Record<string, unknown> = {}, kind: NotificationItem['kind'] = 'alert'): NotificationItem => ({
  kind,
  alertId,
  severity: 'warning',
  site: wuliang,
  trend: [],
  evidence: { kind: 'threshold', rule: 'wuliang-nh3n-class3', site: wuliang.code, parameter: 'nh3_n', value, time: '2026-11-20T02:00:00.000Z', window: '1h', validCount: 1, direction: '>', limit: 1, limitSource: 'GB 3838-2002 表1 Ⅲ类 氨氮 ≤ 1.0 mg/L', late: false, ...extra },
});
const sectionClass = (alertId: number, cls: string, time: string, site: NotificationItem['site'] = testSection): NotificationItem => ({
  kind: 'alert',
  alertId,
  severity: 'warning',
  site,
  trend: [],
  evidence: { kind: 'water_class', class: cls, targetClass: 'III', target: 'TEST-2025', worst: [{ parameter: 'codmn', class: cls, value: '6.1' }], seasonalLimits: [], time, late: false },
});

// The mix of a burst, in an order that puts everything the subject must not lead with first.
// Exceedance multiples (HJ 663 §5.3, (C − S) / S to two decimals), by hand:
//   晋源 PM2.5 260 against 75: 185 / 75 = 2.466… → 2.47 (critical)
//   武宿 PM2.5 112 against 75:  37 / 75 = 0.493… → 0.49 (critical)
//   武良 NH3-N 4.2 against 1.0: 3.2 (warning — the largest multiple, but a lower severity)
const recovered = pm25(30, jinyuan, '70', 'critical', {}, 'resolution');
const lateOne = nh3(31, '3.5', { late: true, lateRun: { from: '2026-11-19T20:00:00.000Z', to: '2026-11-19T22:00:00.000Z', evaluations: 3 } });
const warningNh3 = nh3(32, '4.2');
const criticalWusu = pm25(33, wusu, '112', 'critical');
const criticalJinyuan = pm25(34, jinyuan, '260', 'critical');
const burst = [recovered, lateOne, warningNh3, criticalWusu, criticalJinyuan];

describe('the subject of a grouped alert mail', () => {
  it('leads with the worst live alert, its severity, and counts late data and recoveries apart', () => {
    const m = renderMessage(burst, { language: 'zh-CN' });
    // Critical before warning; of the two critical ones the larger multiple (2.47 > 0.49); 3 live, 1 late, 1 recovered.
    expect(m.subject).toBe('【严重】【超标预警】晋源 细颗粒物(PM2.5) 260 μg/m³，超二级标准限值(75) 2.47倍 等 3 条告警；1 条补报；1 条已恢复');
    expect(renderMessage(burst, { language: 'en' }).subject).toBe('[Critical] [Exceedance] Jinyuan PM2.5 260 μg/m³, over the limit (75) by 2.47× and 2 more alerts; 1 from late data; 1 resolved');
  });

  it('orders the body as the subject: live worst first, then late data, then recoveries, each under its heading', () => {
    const { text, html } = renderMessage(burst, { language: 'zh-CN' });
    const order = ['晋源 细颗粒物(PM2.5) 260', '武宿 细颗粒物(PM2.5) 112', '磁窑河武良断面 氨氮 4.2', '磁窑河武良断面 氨氮 3.5', '【恢复】晋源'].map((h) => text.indexOf(h));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text.startsWith('== 实时告警（3） ==\n\n【超标预警】晋源')).toBe(true);
    const headings = ['实时告警（3）', '补报数据（数据迟到，按数据时间评价）（1）', '已恢复（1）'].map((h) => html.indexOf(h));
    expect(headings.every((at) => at >= 0)).toBe(true);
    expect([...headings].sort((a, b) => a - b)).toEqual(headings);
  });

  it('among equals without a multiple puts the most recent first', () => {
    const older = sectionClass(40, 'IV', '2026-11-20T01:00:00.000Z', wuliang);
    const newer = sectionClass(41, 'V', '2026-11-20T03:00:00.000Z');
    expect(renderMessage([older, newer], { language: 'zh-CN' }).subject).toBe('【警告】【水质类别预警】测试断面 Ⅴ类，目标Ⅲ类 等 2 条告警');
    // A value over its limit (a multiple) leads a water class of the same severity, whatever their times.
    expect(renderMessage([newer, warningNh3], { language: 'zh-CN' }).subject).toMatch(/^【警告】【超标预警】磁窑河武良断面 氨氮 4.2/);
  });

  it('never leads with a recovery or late data: without a live alert the late one leads, unmarked by severity', () => {
    expect(renderMessage([recovered, lateOne], { language: 'zh-CN' }).subject).toBe('【超标预警】磁窑河武良断面 氨氮 3.5 mg/L，超Ⅲ类标准限值(1.0) 2.5倍（补报）；1 条已恢复');
    expect(renderMessage([recovered, pm25(35, wusu, '60', 'warning', {}, 'resolution')], { language: 'zh-CN' }).subject).toBe('【恢复】晋源 细颗粒物(PM2.5) 70 μg/m³，已回到二级标准限值(75)以内 等 2 条已恢复');
    // A still-firing alert on late data is not live news either: the live one leads.
    const lateLive = pm25(36, jinyuan, '400', 'critical', { late: true });
    expect(renderMessage([lateLive, warningNh3], { language: 'zh-CN' }).subject).toMatch(/^【警告】【超标预警】磁窑河武良断面 氨氮 4.2 .*；1 条补报$/);
  });

  it('does not call an alert firing whose recovery is in the same message, nor offer to acknowledge it', () => {
    const fired = nh3(50, '2.31');
    const over = { ...nh3(50, '0.85', {}, 'resolution'), evidence: { ...nh3(50, '0.85').evidence, time: '2026-11-20T03:00:00.000Z' } };
    const m = renderMessage([fired, over, criticalWusu], { language: 'zh-CN' });
    // One alert recovered (its firing and its recovery), one firing.
    expect(m.subject).toBe('【严重】【超标预警】武宿 细颗粒物(PM2.5) 112 μg/m³，超二级标准限值(75) 0.49倍；1 条已恢复');
    expect(m.text).not.toContain('envmon alerts ack 50');
    expect(m.text).toContain('envmon alerts ack 33');
  });
});

describe('names, units and classes in alert mails', () => {
  it('does not double a suffix the name already has: 测试断面, never 测试断面断面', () => {
    const m = renderMessage([sectionClass(42, 'IV', '2026-11-20T02:00:00.000Z')], { language: 'zh-CN' });
    expect(m.subject).toBe('【水质类别预警】测试断面 Ⅳ类，目标Ⅲ类');
    for (const body of [m.text, m.html, m.markdown]) {
      expect(body).toContain('测试断面');
      expect(body).not.toContain('测试断面断面');
    }
    // A name without the suffix still gets it.
    expect(renderMessage([warningNh3], { language: 'zh-CN' }).subject).toContain('磁窑河武良断面 ');
    expect(withSuffix('测试断面', '断面')).toBe('测试断面');
    expect(withSuffix('磁窑河武良', '断面')).toBe('磁窑河武良断面');
  });

  it('writes μg/m³, mg/m³ for CO, mg/L, and Ⅳ类 / 劣Ⅴ类 with the Roman numeral characters', () => {
    const co: NotificationItem = { ...pm25(43, wusu, '12.5', 'warning'), evidence: { ...pm25(43, wusu, '12.5', 'warning').evidence, parameter: 'co', limit: 10, limitSource: 'GB 3095-2026 表1 二级 CO 1小时平均 10 mg/m³' } };
    const m = renderMessage([co, criticalWusu, warningNh3, sectionClass(44, '劣V', '2026-11-20T02:00:00.000Z')], { language: 'zh-CN' });
    expect(m.text).toContain('一氧化碳 12.5 mg/m³');
    expect(m.text).toContain('细颗粒物(PM2.5) 112 μg/m³');
    expect(m.text).toContain('氨氮 4.2 mg/L');
    // The limit as the headline writes it: 1.0 beside a value with decimals, not the configuration's 1.
    expect(m.text).toContain('限值：1.0 mg/L');
    expect(m.text).toContain('限值：10.0 mg/m³');
    expect(m.text).toContain('测试断面 劣Ⅴ类');
    expect(m.text).toContain('主要超标项目：高锰酸盐指数 6.1 mg/L（劣Ⅴ类）');
    // English mails write the time and the separators in English (02:00Z is 10:00 in Beijing).
    expect(renderMessage([warningNh3], { language: 'en' }).text).toContain('  Value: 4.2 mg/L (2026-11-20 10:00 Beijing time)');
    for (const body of [m.subject, m.text, m.html]) {
      expect(body).not.toMatch(/ug\/m3|µg|mg\/m3|μg\/m3|mg\/l\b|(?<![A-Za-z])(IV|V|III)类/);
    }
  });

  it('shows an hourly air value\'s HJ 633 category in its colour', () => {
    // HJ 633-2026 (in force from 2026-03-01), PM2.5 1-hour value on the daily column 0/35/60/115/150/250/350/500:
    //   112 → 100 + 50 × (112 − 60) / 55 = 147.27 → 148 (rounded up), 轻度污染, orange #FF7E00, black text;
    //   260 → 300 + 100 × (260 − 250) / 100 = 310, 严重污染, maroon #7E0023, white text.
    const html = renderMessage([criticalWusu, criticalJinyuan], { language: 'zh-CN' }).html;
    expect(html).toContain('background:#FF7E00;color:#000000;font-weight:bold;padding:2px 10px;border-radius:4px">IAQI 148，轻度污染</span>（HJ 633-2026）');
    expect(html).toContain('background:#7E0023;color:#FFFFFF;font-weight:bold;padding:2px 10px;border-radius:4px">IAQI 310，严重污染</span>（HJ 633-2026）');
    // The severity colour on each card and its badge.
    expect(html).toContain('border-left:6px solid #B71C1C');
    expect(html).toMatch(/background:#B71C1C;color:#FFFFFF[^>]*>严重</);
    // A value the index cannot take (negative: an instrument's zero drift) leaves the category out, never the mail.
    const drift = renderMessage([pm25(45, wusu, '-3', 'info', { direction: '<', limit: 0 })], { language: 'zh-CN' });
    expect(drift.text).not.toContain('IAQI');
    expect(drift.subject).toContain('武宿 细颗粒物(PM2.5) -3 μg/m³');
    // One column, at most 600 px wide, sized for a phone.
    expect(html).toContain('max-width:600px');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });
});

describe('the action of an alert mail', () => {
  it('builds the console link with URL: with or without a trailing slash, and under a path prefix', () => {
    expect(alertLink('https://envmon.example.gov.cn', 17)).toBe('https://envmon.example.gov.cn/alerts/17');
    expect(alertLink('https://envmon.example.gov.cn/', 17)).toBe('https://envmon.example.gov.cn/alerts/17');
    expect(alertLink('https://gw.example.gov.cn/envmon', 17)).toBe('https://gw.example.gov.cn/envmon/alerts/17');
    expect(alertLink('https://gw.example.gov.cn/envmon/', 17)).toBe('https://gw.example.gov.cn/envmon/alerts/17');
  });

  it('links to the alert instead of the shell command when linkBase is set, in the mail and the chat message', () => {
    const m = renderMessage([warningNh3], { language: 'zh-CN', linkBase: 'https://gw.example.gov.cn/envmon' });
    expect(m.text).toContain('在控制台查看并确认：https://gw.example.gov.cn/envmon/alerts/32');
    expect(m.html).toMatch(/<a href="https:\/\/gw\.example\.gov\.cn\/envmon\/alerts\/32" style="[^"]*padding:14px 16px[^"]*">在控制台查看并确认<\/a>/);
    expect(m.markdown).toContain('> [在控制台查看并确认](https://gw.example.gov.cn/envmon/alerts/32)');
    for (const body of [m.text, m.html, m.markdown]) expect(body).not.toContain('envmon alerts ack');
    // Without linkBase the ack command stays.
    expect(renderMessage([warningNh3], { language: 'zh-CN' }).text).toContain('确认命令：envmon alerts ack 32 --by 姓名 --note 处理说明');
  });

  it('offers no ack on a recovered alert or on late data already over: a history link at most', () => {
    const linked = renderMessage([recovered, lateOne], { language: 'zh-CN', linkBase: 'https://envmon.example.gov.cn' });
    expect(linked.text).toContain('查看告警记录：https://envmon.example.gov.cn/alerts/30');
    expect(linked.text).toContain('查看告警记录：https://envmon.example.gov.cn/alerts/31');
    for (const body of [linked.text, linked.html, linked.markdown]) {
      expect(body).not.toContain('确认');
      expect(body).not.toContain('envmon alerts ack');
    }
    const bare = renderMessage([recovered, lateOne], { language: 'zh-CN' });
    for (const body of [bare.text, bare.html, bare.markdown]) {
      expect(body).not.toContain('envmon alerts ack');
      expect(body).not.toContain('/alerts/');
    }
    expect(renderMessage([recovered], { language: 'en', linkBase: 'https://envmon.example.gov.cn' }).text).toContain('View the alert: https://envmon.example.gov.cn/alerts/30');
  });
});
