/**
 * Notification texts: zh-CN by default, English per recipient; a plain-text and an HTML body for mail and a
 * markdown body for chat robots. Pure: everything shown comes in as data. Every value is HTML-escaped in the HTML
 * body, and the subject carries no line breaks (no header injection through a site name or a value). An alert on
 * simulated or replayed demonstration data (its evidence's `origin`) says so first, in the subject and the body:
 * 【模拟数据】/【回放数据】.
 *
 * A grouped message leads with what fires now, worst first (notify/message-order.ts): its subject names the worst
 * live alert and counts late-data alerts and recoveries apart. The action is a link to the alert's console page when
 * `notifications.linkBase` is set, else the ack command; a recovered or already-over alert offers no ack.
 */
import { originLabels, originMark, type DataOrigin } from '../lib/data-origin.ts';
import { compareDecimal, parseDecimal } from '../lib/decimal.ts';
import { formatBeijing } from '../lib/time.ts';
import { categoryOf, editionForHour, hourlyAqi, pollutants, type Category, type Pollutant } from '../standards/aqi.ts';
import { exceedanceMultiple } from '../standards/exceedance.ts';
import { classText, parameterLabel, withUnit, type TextLanguage } from '../standards/labels.ts';
import { carriedOverNote } from '../standards/plan-period.ts';
import { waterClassZh, type WaterClass } from '../standards/water-class.ts';
import { alertAction } from './alert-actions.ts';
import { renderAlertHtml, textOn, type ItemAction, type MailSection, type Swatch } from './alert-mail-html.ts';
import { alertCount, orderForMessage, type ItemStatus, type OrderFacts } from './message-order.ts';

export type Language = TextLanguage;

export interface NotificationItem {
  kind: 'alert' | 'resolution' | 'reminder';
  alertId: number | null;
  severity: 'info' | 'warning' | 'critical';
  /** The alert's evidence, as stored with the outbox row. */
  evidence: Record<string, unknown>;
  site: { code: string; nameZh: string; nameEn: string; kind: string } | null;
  /** The parameter's hourly values of the last 24 hours (oldest first), when the alert has one. */
  trend: { time: Date; value: string }[];
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  markdown: string;
}

export interface RenderOptions {
  language: Language;
  /** The console's base URL (`notifications.linkBase`): the action is a link to the alert; without it the ack command is shown. */
  linkBase?: string | undefined;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/** CR, LF and other control characters become spaces: nothing a value holds can start a new header line. */
export function singleLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}


/** A limit shown with as many decimals as the value it is compared with has, at least one when the value has any. */
function formatLimit(limit: string, value: string | null): string {
  if (value === null || limit.includes('.') || !value.includes('.')) return limit;
  return `${limit}.0`;
}

const classMark = /([ⅠⅡⅢⅣⅤ]类)/;
const gradeMark = /(一级|二级)/;

function siteLabel(item: NotificationItem, language: Language): string {
  if (!item.site) return str(item.evidence.source) ?? '';
  if (language === 'en') return item.site.nameEn;
  return item.site.kind === 'surface_water' ? withSuffix(item.site.nameZh, '断面') : item.site.nameZh;
}

/** `name` with `suffix`, unless the name already ends with it: 测试断面 stays 测试断面, never 测试断面断面. */
export function withSuffix(name: string, suffix: string): string {
  return name.endsWith(suffix) ? name : `${name}${suffix}`;
}

/**
 * Where a threshold alert's value stands: `over` the limit (beyond it: an exceedance), `holding` (back within the
 * limit but not yet past the clear level, so the alert still fires by hysteresis) or `cleared`. Exact decimals.
 */
export function thresholdPosition(e: { value?: unknown; limit?: unknown; clearAt?: unknown; direction?: unknown }): 'over' | 'holding' | 'cleared' | null {
  const value = str(e.value);
  const limit = str(e.limit);
  if (value === null || limit === null || parseDecimal(value) === null || parseDecimal(limit) === null) return null;
  const sign = e.direction === '<' ? -1 : 1;
  if (sign * compareDecimal(value, limit) > 0) return 'over';
  const clearAt = str(e.clearAt);
  if (clearAt === null || parseDecimal(clearAt) === null) return 'cleared';
  return sign * compareDecimal(value, clearAt) > 0 ? 'holding' : 'cleared';
}

/** Where an item's data come from: simulated / replayed demonstration data, or null (measured). */
export function originOfItem(item: NotificationItem): DataOrigin | null {
  const origin = item.evidence.origin;
  return origin === 'simulated' || origin === 'replayed' ? origin : null;
}

/** The seasonal special limits a water-class alert's evidence holds. */
function seasonalOf(e: Record<string, unknown>): { parameter: string; limit: number; value: string; breached: boolean }[] {
  return Array.isArray(e.seasonalLimits) ? (e.seasonalLimits as { parameter: string; limit: number; value: string; breached: boolean }[]) : [];
}

/** The one-line headline of an item, used as the subject of a single-item message; demonstration data first marked. */
export function headline(item: NotificationItem, language: Language): string {
  return `${originMark(originOfItem(item), language)}${plainHeadline(item, language)}`;
}

function plainHeadline(item: NotificationItem, language: Language): string {
  const e = item.evidence;
  const zh = language === 'zh-CN';
  const site = siteLabel(item, language);
  const { name, unit } = parameterLabel(str(e.parameter), language);
  const value = str(e.value);
  // A reminder is about the alert as it stands now: its data being late is in the body, not the headline.
  const late = e.late === true && item.kind !== 'reminder' ? (zh ? '（补报）' : ' (late data)') : '';
  const reminder = item.kind === 'reminder' ? (zh ? '【持续】' : '[ongoing] ') : '';
  switch (e.kind ?? (e.level ? 'no_data' : 'threshold')) {
    case 'threshold': {
      const limit = formatLimit(str(e.limit) ?? '', value);
      const source = str(e.limitSource) ?? '';
      const level = classMark.exec(source)?.[1] ?? gradeMark.exec(source)?.[1] ?? '';
      if (item.kind === 'resolution') return zh ? `【恢复】${site} ${name} ${value ?? ''} ${unit}，已回到${level}标准限值(${limit})以内` : `[Resolved] ${site} ${name} ${value ?? ''} ${unit}, back within the limit (${limit})`;
      // Still firing by hysteresis with the value back within the limit: say so, never call it an exceedance.
      if (thresholdPosition(e) !== 'over' && thresholdPosition(e) !== null) {
        const clearAt = str(e.clearAt);
        const below = e.direction === '<';
        if (zh) return `${reminder}【超标预警】${site} ${name} ${value ?? ''} ${unit}，${below ? '已回升至限值' : '已回落至限值'}(${limit})${below ? '以上' : '以内'}，${clearAt ? `未达解除值 ${clearAt}` : '尚未解除'}，预警持续${late}`;
        return `${reminder}[Exceedance] ${site} ${name} ${value ?? ''} ${unit}, back within the limit (${limit}), ${clearAt ? `not yet past the clear level ${clearAt}` : 'not yet cleared'}; alert continues${late}`;
      }
      if (e.direction === '<') return zh ? `${reminder}【超标预警】${site} ${name} ${value ?? ''} ${unit}，低于${level}标准限值(${limit})${late}` : `${reminder}[Exceedance] ${site} ${name} ${value ?? ''} ${unit}, below the limit (${limit})${late}`;
      const multiple = value ? exceedanceMultiple(value, str(e.limit) ?? '') : null;
      return zh
        ? `${reminder}【超标预警】${site} ${name} ${value ?? ''} ${unit}，超${level}标准限值(${limit})${multiple ? ` ${multiple}倍` : ''}${late}`
        : `${reminder}[Exceedance] ${site} ${name} ${value ?? ''} ${unit}, over the limit (${limit})${multiple ? ` by ${multiple}×` : ''}${late}`;
    }
    case 'water_class': {
      const cls = str(e.class) as WaterClass | null;
      const target = str(e.targetClass) as WaterClass | null;
      if (item.kind === 'resolution') return zh ? `【恢复】${site} 水质已达${target ? waterClassZh[target] : ''}目标` : `[Resolved] ${site} meets its Class ${target ?? ''} target again`;
      // A parameter over the target's seasonal special limit is named: the class alone may meet the target.
      const over = seasonalOf(e)
        .filter((l) => l.breached)
        .map((l) => {
          const p = parameterLabel(l.parameter, language);
          return zh ? `${p.name} ${l.value} ${p.unit} 超季节限值 ${l.limit}` : `${p.name} ${l.value} ${p.unit} over its seasonal limit ${l.limit}`;
        });
      const state = [...(cls ? [zh ? waterClassZh[cls] : `Class ${cls}`] : []), ...over].join(zh ? '，' : ', ');
      return zh ? `${reminder}【水质类别预警】${site} ${state}，目标${target ? waterClassZh[target] : ''}${late}` : `${reminder}[Water class] ${site} ${state}, target Class ${target ?? ''}${late}`;
    }
    case 'rate_of_change':
      return item.kind === 'resolution' ? (zh ? `【恢复】${site} ${name} 突变已结束` : `[Resolved] ${site} ${name} spike over`) : zh ? `【突变提示】${site} ${name} 1小时内由 ${str(e.previous) ?? ''} 升至 ${value ?? ''} ${unit}` : `[Spike] ${site} ${name} rose from ${str(e.previous) ?? ''} to ${value ?? ''} ${unit} within an hour`;
    case 'instrument_state':
      return item.kind === 'resolution' ? (zh ? `【恢复】${site} ${name} 仪器恢复正常数据` : `[Resolved] ${site} ${name} instrument back to normal`) : zh ? `【仪器状态】${site} ${name} 连续 ${str(e.flaggedHours) ?? ''} 小时数据标记为 ${str(e.flag) ?? ''}${str(e.samples) ? `（${str(e.samples) ?? ''} 个样本）` : ''}` : `[Instrument] ${site} ${name} flagged ${str(e.flag) ?? ''} for ${str(e.flaggedHours) ?? ''} hours${str(e.samples) ? ` (${str(e.samples) ?? ''} samples)` : ''}`;
    case 'target_at_risk': {
      // Judged against a reference (a target past its plan period, carried forward): said in the subject itself.
      if (e.reference === true) {
        const note = str(e.statusNote) ?? '参考值';
        if (item.kind === 'resolution') return zh ? `【恢复】${site} ${str(e.target) ?? ''} 年累计已达到参考值（${note}）` : `[Resolved] ${site} ${str(e.target) ?? ''} year-to-date back within the reference value (past its plan period)`;
        return zh ? `【目标预警·参考值】${site} ${str(e.target) ?? ''} 年累计 ${str(e.current) ?? ''}，参考值 ${str(e.required) ?? ''}${note.replace(/^参考值/, '')}` : `[Target at risk, reference] ${site} ${str(e.target) ?? ''} year-to-date ${str(e.current) ?? ''}, reference ${str(e.required) ?? ''} (target past its plan period, no new target entered)`;
      }
      return item.kind === 'resolution' ? (zh ? `【恢复】${site} 规划目标 ${str(e.target) ?? ''} 年累计已达标` : `[Resolved] ${site} target ${str(e.target) ?? ''} back on track`) : zh ? `【目标预警】${site} ${str(e.target) ?? ''} 年累计 ${str(e.current) ?? ''}，目标 ${str(e.required) ?? ''}` : `[Target at risk] ${site} ${str(e.target) ?? ''} year-to-date ${str(e.current) ?? ''}, target ${str(e.required) ?? ''}`;
    }
    default: {
      // The source by its configured name, then the site and the parameter by theirs (codes where names are unknown).
      const parameter = str(e.parameter);
      const what = [str(e.sourceName) ?? str(e.source), item.site ? site : str(e.site), parameter ? parameterLabel(parameter, language).name : null].filter(Boolean).join(' ');
      if (item.kind === 'resolution') {
        if (e.reason === 'no_longer_expected') return zh ? `【解除】${what} 已不在配置要求的数据范围内（配置已变更）` : `[Closed] ${what} is no longer expected by the configuration`;
        return zh ? `【恢复】${what} 数据已恢复` : `[Resolved] ${what} data resumed`;
      }
      if (e.neverDelivered === true) return zh ? `【数据中断】${what} 从未收到数据（已等待 ${str(e.silentMinutes) ?? ''} 分钟）` : `[No data] ${what} has never delivered (waited ${str(e.silentMinutes) ?? ''} minutes)`;
      return zh ? `【数据中断】${what} 已 ${str(e.silentMinutes) ?? ''} 分钟无数据` : `[No data] ${what} silent for ${str(e.silentMinutes) ?? ''} minutes`;
    }
  }
}

/** The evidence lines of an item: label and value pairs. */
function details(item: NotificationItem, options: RenderOptions): [string, string, Swatch?][] {
  const e = item.evidence;
  const zh = options.language === 'zh-CN';
  const lines: [string, string, Swatch?][] = [];
  const add = (labelZh: string, labelEn: string, value: string | null) => {
    if (value !== null && value !== '') lines.push([zh ? labelZh : labelEn, value]);
  };
  const { name, unit } = parameterLabel(str(e.parameter), options.language);
  const origin = originOfItem(item);
  if (origin) {
    const warning: Record<DataOrigin, [string, string]> = {
      simulated: ['模拟数据：程序生成，不是实测，不得据以处置', 'simulated: generated by a program, not measured; do not act on it'],
      replayed: ['回放数据：历史记录按实时重放，不是当前实测，不得据以处置', 'replayed: recorded data played back as if live, not a current measurement; do not act on it'],
    };
    add('数据性质', 'Data', warning[origin][zh ? 0 : 1]);
  }
  add('站点', 'Site', item.site ? `${siteLabel(item, options.language)} (${item.site.code})` : null);
  add('监测项目', 'Parameter', name || null);
  const time = str(e.time);
  const when = time ? (zh ? `${formatBeijing(new Date(time))}（北京时间）` : `${formatBeijing(new Date(time))} (Beijing time)`) : null;
  add('数值', 'Value', str(e.value) ? `${str(e.value) ?? ''} ${unit}${time ? (zh ? `（${formatBeijing(new Date(time))}，北京时间）` : ` (${formatBeijing(new Date(time))} Beijing time)`) : ''}` : null);
  if (e.window) add('统计窗口', 'Window', `${str(e.window) ?? ''}${e.validCount !== undefined ? (zh ? `，有效数据 ${str(e.validCount) ?? ''} 个` : `, ${str(e.validCount) ?? ''} valid values`) : ''}`);
  // Written as the headline writes it (1.0 beside a value with decimals), not as the configuration's number (1).
  add('限值', 'Limit', str(e.limit) ? `${formatLimit(str(e.limit) ?? '', str(e.value))} ${unit}` : null);
  if (e.kind === 'threshold' || e.kind === undefined) add('解除值', 'Clears at', str(e.clearAt) ? `${str(e.clearAt) ?? ''} ${unit}` : null);
  add('依据', 'Basis', str(e.limitSource) ?? str(e.document) ?? str(e.target) ?? null);
  // 超标倍数 only for a value beyond the limit (never for one back within it, still firing by hysteresis).
  if (str(e.value) && str(e.limit) && e.direction !== '<' && thresholdPosition(e) === 'over') add('超标倍数', 'Exceedance multiple', exceedanceMultiple(str(e.value) as string, str(e.limit) as string));
  if (e.kind === 'water_class') {
    const cls = (c: string | null | undefined) => (zh ? classText(c) : c ? `Class ${c}` : '');
    add('监测时间', 'Time', when);
    // The class is that of the parameters judged by class: one under a special seasonal limit is judged by it alone.
    const special = [...new Set(seasonalOf(e).map((l) => parameterLabel(l.parameter, options.language).name))];
    const apart = special.length > 0 ? (zh ? `（${special.join('、')}按季节特别限值考核，不参与定类）` : ` (${special.join(', ')} judged by the seasonal special limit, not by class)`) : '';
    add('断面类别', 'Class', cls(str(e.class)) ? `${cls(str(e.class))}${apart}` : null);
    // A target past its period that still governs is said to be carried over, not cited as current.
    const validTo = str(e.targetValidTo);
    const carried = validTo && time ? carriedOverNote({ document: str(e.target) ?? '', validTo }, formatBeijing(new Date(Date.parse(time) - 3_600_000)).slice(0, 10)) : null;
    add('目标', 'Target', zh ? `${cls(str(e.targetClass))}（${str(e.target) ?? ''}${carried ? `；${carried}` : ''}）` : `${cls(str(e.targetClass))} (${str(e.target) ?? ''}${carried ? `; period ended ${validTo ?? ''}, still applied` : ''})`);
    const worst = Array.isArray(e.worst) ? (e.worst as { parameter: string; class: string; value: string }[]) : [];
    add('主要超标项目', 'Worst parameters', worst.map((w) => `${parameterLabel(w.parameter, options.language).name} ${withUnit(w.value, w.parameter)}${zh ? `（${cls(w.class)}）` : ` (${cls(w.class)})`}`).join(zh ? '，' : ', ') || null);
    add(
      '季节限值',
      'Seasonal limits',
      seasonalOf(e)
        .map((l) => {
          const p = parameterLabel(l.parameter, options.language);
          return zh ? `${p.name} ${withUnit(l.value, l.parameter)}（限值 ≤ ${withUnit(l.limit, l.parameter)}，${l.breached ? '超限' : '达标'}）` : `${p.name} ${withUnit(l.value, l.parameter)} (limit ≤ ${withUnit(l.limit, l.parameter)}, ${l.breached ? 'exceeded' : 'met'})`;
        })
        .join(zh ? '，' : ', ') || null,
    );
  }
  if (e.kind === 'target_at_risk') add('预测', 'Projection', str(e.projection));
  if (e.kind === 'target_at_risk' && e.reference === true) add('参考值说明', 'Reference', zh ? str(e.periodNote) : 'the target\'s plan period has ended and the next plan\'s target is not entered; its value is applied as a reference');
  if (e.late === true) add('说明', 'Note', zh ? '数据迟到，按数据时间评价' : 'late data, judged at its own time');
  if (item.trend.length > 0) add('近24小时', 'Last 24 h', `${item.trend.map((t) => `${formatBeijing(t.time).slice(11, 13)}时 ${t.value}`).join(' · ')}${unit ? (zh ? `（${unit}）` : ` (${unit})`) : ''}`);
  const category = airCategory(item);
  if (category) {
    const label = zh ? `IAQI ${category.iaqi}，${category.category.nameZh}` : `IAQI ${category.iaqi}, ${category.category.nameEn}`;
    lines.push([zh ? '空气质量级别' : 'Air quality', `${label}${zh ? `（${category.edition}）` : ` (${category.edition})`}`, { text: label, background: category.category.hex, foreground: textOn(category.category.rgb) }]);
  }
  return lines;
}

/**
 * The HJ 633 sub-index and category of an hourly air pollutant value, as the hourly AQI computes it (PM on the
 * 24-hour breakpoints, the others on the 1-hour ones) in the edition in force at the value's hour; null for any
 * other item or when the standard gives no index (SO2 above 800 μg/m³ without its 24-hour mean).
 */
function airCategory(item: NotificationItem): { iaqi: number; category: Category; edition: string } | null {
  const e = item.evidence;
  const parameter = str(e.parameter);
  const value = str(e.value);
  const time = str(e.time);
  if (e.kind !== 'threshold' || e.window !== '1h' || parameter === null || value === null || time === null) return null;
  if (!(pollutants as readonly string[]).includes(parameter) || parseDecimal(value) === null || Number.isNaN(Date.parse(time))) return null;
  if (compareDecimal(value, '0') < 0) return null;
  const edition = editionForHour(new Date(time));
  try {
    const index = hourlyAqi(edition, { [parameter]: value }).iaqi[parameter as Pollutant];
    return index === null ? null : { iaqi: index, category: categoryOf(index), edition };
  } catch {
    // The category is an aid to reading: a value the index cannot take never keeps the alert itself from going out.
    return null;
  }
}

/**
 * A recovery, or a late-data exceedance already over when its data came, is stored resolved: the ack command
 * refuses it, so it is offered for reading only.
 */
const actionOf = (item: NotificationItem, status: ItemStatus, options: RenderOptions): ItemAction | null =>
  alertAction(item.alertId, status === 'resolved' || item.evidence.lateRun !== undefined, options.language, options.linkBase);

/** The facts the order of a grouped message is made of. */
function orderFacts(item: NotificationItem): OrderFacts {
  const e = item.evidence;
  const value = str(e.value);
  const limit = str(e.limit);
  const over = (e.kind ?? 'threshold') === 'threshold' && e.direction !== '<' && thresholdPosition(e) === 'over' && value !== null && limit !== null;
  return { alertId: item.alertId, kind: item.kind, severity: item.severity, late: e.late === true, multiple: over ? exceedanceMultiple(value, limit) : null, time: str(e.time) ?? str(e.since) };
}

const severityTags: Record<Language, Record<NotificationItem['severity'] | 'late' | 'resolved', string>> = {
  'zh-CN': { critical: '严重', warning: '警告', info: '提示', late: '补报', resolved: '已恢复' },
  en: { critical: 'Critical', warning: 'Warning', info: 'Info', late: 'Late data', resolved: 'Resolved' },
};

/**
 * The subject of a grouped message: the worst live alert with its severity, then how many alerts fire, then the
 * late-data alerts and the recoveries counted apart — 【严重】【超标预警】… 等 3 条告警；1 条补报；2 条已恢复.
 * Without a live alert, the worst late one leads (it is not marked with a severity: it is over or hours old), and
 * without those the recoveries.
 */
function groupSubject(parts: Record<ItemStatus, NotificationItem[]>, leadHead: string, language: Language): string {
  const zh = language === 'zh-CN';
  const leadStatus = (['live', 'late', 'resolved'] as const).find((s) => parts[s].length > 0) ?? 'live';
  const lead = parts[leadStatus][0];
  const count = (s: ItemStatus) => alertCount(parts[s].map(orderFacts));
  const n = count(leadStatus);
  const tag = leadStatus === 'live' && lead ? (zh ? `【${severityTags[language][lead.severity]}】` : `[${severityTags[language][lead.severity]}] `) : '';
  const more = zh
    ? n > 1 ? ` 等 ${n} 条${{ live: '告警', late: '补报', resolved: '已恢复' }[leadStatus]}` : ''
    : n > 1 ? ` and ${n - 1} more${{ live: n - 1 === 1 ? ' alert' : ' alerts', late: ' from late data', resolved: ' resolved' }[leadStatus]}` : '';
  const apart = (['late', 'resolved'] as const)
    .filter((s) => s !== leadStatus && parts[s].length > 0)
    .map((s) => (zh ? `；${count(s)} 条${s === 'late' ? '补报' : '已恢复'}` : `; ${count(s)} ${s === 'late' ? 'from late data' : 'resolved'}`))
    .join('');
  return `${tag}${leadHead}${more}${apart}`;
}

export function renderMessage(items: readonly NotificationItem[], options: RenderOptions): RenderedMessage {
  const zh = options.language === 'zh-CN';
  if (items.length === 0) throw new Error('no items to render');
  const { parts, statusOf } = orderForMessage(items, orderFacts);
  const ordered = [...parts.live, ...parts.late, ...parts.resolved];
  const first = ordered[0] as NotificationItem;
  const heads = new Map(ordered.map((i) => [i, singleLine(headline(i, options.language))]));
  // A burst: the subject says whether it holds demonstration data — all of one kind, or some. All of one kind, the
  // mark leads the subject once and the lead headline follows without it.
  const origins = new Set(items.map(originOfItem));
  const [only] = origins;
  const burstMark = origins.size === 1 ? originMark(only, options.language) : [...origins].filter((o) => o !== null).map((o) => (zh ? `【含${originLabels[o].zh}】` : `[some ${originLabels[o].en}] `)).join('');
  const leadHead = origins.size === 1 ? singleLine(plainHeadline(first, options.language)) : (heads.get(first) ?? '');
  const subject = singleLine(items.length === 1 ? (heads.get(first) as string) : `${burstMark}${groupSubject(parts, leadHead, options.language)}`);
  const block = (item: NotificationItem) => ({ head: heads.get(item) as string, severity: item.severity, status: statusOf(item), lines: details(item, options), action: actionOf(item, statusOf(item), options) });
  const titles: Record<ItemStatus, string> = zh ? { live: '实时告警', late: '补报数据（数据迟到，按数据时间评价）', resolved: '已恢复' } : { live: 'Firing now', late: 'From late data (judged at their own time)', resolved: 'Resolved' };
  // One item needs no section title; a group is read section by section, in the subject's order.
  const sections: MailSection[] = (['live', 'late', 'resolved'] as const)
    .filter((s) => parts[s].length > 0)
    .map((s) => ({ title: items.length === 1 ? '' : zh ? `${titles[s]}（${alertCount(parts[s].map(orderFacts))}）` : `${titles[s]} (${alertCount(parts[s].map(orderFacts))})`, blocks: parts[s].map(block) }));
  const blocks = sections.flatMap((s) => s.blocks);
  const actionText = (a: ItemAction | null): [string, string][] => (a === null ? [] : [[a.label, a.kind === 'ack-command' ? a.command : a.href]]);
  const footer = zh ? '本邮件由 envmon 环境监测系统自动发送。' : 'Sent by envmon.';
  const colon = zh ? '：' : ': ';
  const textBlock = (b: (typeof blocks)[number]) => [b.head, ...[...b.lines, ...actionText(b.action)].map(([k, v]) => `  ${k}${colon}${v}`)].join('\n');
  const text = [...sections.flatMap((s) => [...(s.title ? [`== ${s.title} ==`] : []), ...s.blocks.map(textBlock)]), '', footer].join('\n\n');
  const html = renderAlertHtml({ language: options.language, summary: subject, badges: severityTags[options.language], sections, footer });
  const markdownAction = (a: ItemAction | null): string[] => (a === null ? [] : a.kind === 'ack-command' ? [`> ${a.label}${colon}\`${a.command}\``] : [`> [${a.label}](${a.href})`]);
  const markdown = blocks.map((b) => [`### ${b.head}`, ...b.lines.map(([k, v]) => `> ${k}${colon}${v}`), ...markdownAction(b.action)].join('\n')).join('\n\n');
  return { subject, text, html, markdown };
}
