/**
 * Renders one grouped alert mail's HTML in headless Chromium, offline, at a phone's width, to a PNG: to look at what
 * a duty officer sees on a phone — the worst alert first, the severity colours, an AQI category in its HJ 633
 * colour, the console buttons — and proof that the mail needs nothing from the network. Not part of `npm test`.
 *
 * Data: a burst as the notify job gathers it — a critical PM2.5 hour at 交城县城区, an NH3-N exceedance at 磁窑河武良
 * and the section 测试断面 at Ⅳ类 against its Ⅲ类 target (warnings), a late CO hour already over, and a recovery —
 * given in an order that puts the recovery and the late item first. No database: the mail is rendered from its items.
 * Output: var/render/alert-mail.{html,png} and var/render/alert-mail.txt (subject and plain text).
 * Usage: node --import tsx scripts/render-alert-mail.ts [path-to-chromium]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderMessage, type NotificationItem } from '../notify/templates.ts';
import { renderDir, screenshotOffline } from './offline-screenshot.ts';

const chromium = process.argv[2] ?? '/usr/bin/chromium';
const hour = (iso: string, values: string[]) => values.map((value, i) => ({ time: new Date(Date.parse(iso) - (values.length - 1 - i) * 3_600_000), value }));

const town = { code: 'JC-AIR-TOWN', nameZh: '交城县城区', nameEn: 'Jiaocheng county town', kind: 'air_station' };
const jingle = { code: 'JL-AIR-TOWN', nameZh: '静乐县城区', nameEn: 'Jingle county town', kind: 'air_station' };
const wuliang = { code: 'JC-SW-WULIANG', nameZh: '磁窑河武良', nameEn: 'Ciyao River, Wuliang', kind: 'surface_water' };
const beiyukou = { code: 'JC-SW-BEIYUKOU', nameZh: '文峪河北峪口', nameEn: 'Wenyu River, Beiyukou', kind: 'surface_water' };
const testSection = { code: 'TEST-SW-1', nameZh: '测试断面', nameEn: 'Test section', kind: 'surface_water' };

const items: NotificationItem[] = [
  {
    kind: 'resolution',
    alertId: 1187,
    severity: 'warning',
    site: beiyukou,
    trend: hour('2026-12-02T01:00:00.000Z', ['0.61', '0.55', '0.42']),
    evidence: { kind: 'threshold', rule: 'beiyukou-nh3n-class2', parameter: 'nh3_n', value: '0.42', time: '2026-12-02T01:00:00.000Z', window: '1h', validCount: 1, direction: '>', limit: 0.5, clearAt: '0.45', limitSource: 'GB 3838-2002 表1 Ⅱ类 氨氮 ≤ 0.5 mg/L', late: false },
  },
  {
    kind: 'alert',
    alertId: 1190,
    severity: 'warning',
    site: jingle,
    trend: [],
    evidence: { kind: 'threshold', rule: 'air-co-1h-grade2', parameter: 'co', value: '12.5', time: '2026-12-01T20:00:00.000Z', window: '1h', validCount: 1, direction: '>', limit: 10, limitSource: 'GB 3095-2026 表1 二级 CO 1小时平均 10 mg/m³', late: true, lateRun: { from: '2026-12-01T19:00:00.000Z', to: '2026-12-01T20:00:00.000Z', evaluations: 2 } },
  },
  {
    kind: 'alert',
    alertId: 1191,
    severity: 'warning',
    site: wuliang,
    trend: hour('2026-12-02T01:00:00.000Z', ['0.92', '1.08', '1.64', '2.31']),
    evidence: { kind: 'threshold', rule: 'wuliang-nh3n-class3', parameter: 'nh3_n', value: '2.31', time: '2026-12-02T01:00:00.000Z', window: '1h', validCount: 1, direction: '>', limit: 1, clearAt: '0.9', limitSource: 'GB 3838-2002 表1 Ⅲ类 氨氮 ≤ 1.0 mg/L', late: false },
  },
  {
    kind: 'alert',
    alertId: 1192,
    severity: 'warning',
    site: testSection,
    trend: [],
    evidence: { kind: 'water_class', class: 'IV', targetClass: 'III', target: '交城县“十五五”生态环境保护规划（TEST-2030，2026-01-01–2030-12-31）', worst: [{ parameter: 'codmn', class: 'IV', value: '7.4' }, { parameter: 'tp', class: 'IV', value: '0.26' }], seasonalLimits: [], time: '2026-12-02T00:00:00.000Z', late: false },
  },
  {
    kind: 'alert',
    alertId: 1193,
    severity: 'critical',
    site: town,
    trend: hour('2026-12-02T01:00:00.000Z', ['96', '121', '143', '168']),
    evidence: { kind: 'threshold', rule: 'air-pm25-1h-heavy', parameter: 'pm2_5', value: '168', time: '2026-12-02T01:00:00.000Z', window: '1h', validCount: 1, direction: '>', limit: 115, limitSource: '交城县重污染天气预警值 PM2.5 1小时平均 115 μg/m³', late: false },
  },
];

const message = renderMessage(items, { language: 'zh-CN', linkBase: 'https://envmon.example.gov.cn' });
// A phone's viewport: 412 CSS pixels wide (a common Android width), tall enough for the whole mail.
screenshotOffline(chromium, 'alert-mail', message.html, '412,3600');
writeFileSync(path.join(renderDir, 'alert-mail.txt'), `${message.subject}\n\n${message.text}\n`);
process.stdout.write(`subject: ${message.subject}\n`);
