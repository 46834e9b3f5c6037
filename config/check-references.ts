/**
 * What the schema cannot see: whether the ids, codes, areas and parameters one part of the configuration names
 * exist in another, and whether a rule or subscription could ever match anything. Each problem is reported where it
 * is written, with a "did you mean" for near misses, in the same report as the schema errors.
 *
 * Sites a feed registers (a `cnemc` source with `registerSites: true`) are not known before they arrive: with such
 * a source enabled, a site code or area that is no near miss of a configured one is taken to be one of the feed's
 * stations (air stations), and a scope that could hold such a station is not reported as matching nothing.
 */
import { showValue, type ConfigProblem } from './config-error.ts';
import type { LoadedSource } from './load-config.ts';
import type { FileConfig, RuleScope, SiteKind, SubscriptionConfig } from './schema.ts';
import { didYouMean } from '../lib/near-miss.ts';
import { dateProblem } from '../lib/time-input.ts';
import { gb3095Limit, type LimitWindow } from '../standards/air-limits.ts';
import { parameterCatalogue } from '../standards/parameters.ts';

export interface Origin {
  file: string;
  path: string;
}

export interface ConfigItems {
  sites: FileConfig['sites'];
  sources: readonly LoadedSource[];
  targets: FileConfig['targets'];
  rules: FileConfig['rules'];
  maintenance: FileConfig['maintenance'];
  recipients: FileConfig['recipients'];
  dustDays: FileConfig['dustDays'];
}

/** Ids of elements that failed their schema: still known by name, so references to them are not reported twice. */
export interface UncheckedIds {
  sites: Set<string>;
  sources: Set<string>;
  targets: Set<string>;
  rules: Set<string>;
  recipients: Set<string>;
}

const parameterCodes = parameterCatalogue.map((p) => p.code);
const knownParameters = new Set(parameterCodes);
const EXPECTED_PARAMETER = 'a parameter code of the catalogue (standards/parameters.ts)';
const NEVER_FIRES = 'a scope that matches at least one configured site (this rule could never fire)';
/** Kinds of the stations a feed registers. */
const FEED_KIND: SiteKind = 'air_station';
/** One instant under each GB 3095 edition and phase: 2012, 2026 transition, 2026 final. */
const GB3095_PERIODS = [new Date('2020-07-01T00:00:00Z'), new Date('2028-07-01T00:00:00Z'), new Date('2032-07-01T00:00:00Z')];
const AIR_TARGET_INDICATORS = ['pm2_5_annual_mean', 'good_day_ratio', 'heavy_pollution_day_ratio', 'heavy_pollution_days'];

export function checkReferences(items: ConfigItems, origins: ReadonlyMap<object, Origin>, unchecked: UncheckedIds, problems: ConfigProblem[]): void {
  const report = (item: object, path: string, seen: string, expected: string, hint?: string) => {
    const at = origins.get(item);
    if (!at) return;
    problems.push({ file: at.file, path: path ? `${at.path}.${path}` : at.path, seen, expected, ...(hint ? { hint } : {}) });
  };
  const siteCodes = new Set(items.sites.map((s) => s.code));
  const areas = new Set(items.sites.map((s) => s.area));
  // Whether every site is known well enough (kind, area) to say that a scope matches none.
  const sitesComplete = unchecked.sites.size === 0;
  const feedRegisters = items.sources.some((s) => s.kind === 'cnemc' && s.registerSites && s.enabled);

  const duplicates = <T extends object>(list: readonly T[], id: (item: T) => string, key: string, noun: string) => {
    const first = new Map<string, T>();
    for (const item of list) {
      const previous = first.get(id(item));
      const where = previous && origins.get(previous);
      if (where) report(item, key, JSON.stringify(id(item)), `a ${noun} not used by another ${noun.split(' ')[0] ?? noun} (${where.file} ${where.path} has it)`);
      else first.set(id(item), item);
    }
  };

  /** A site code from a scope-like list; false when it is reported. */
  const site = (item: object, path: string, code: string, strict = false): boolean => {
    if (siteCodes.has(code) || unchecked.sites.has(code)) return true;
    const hint = didYouMean(code, [...siteCodes, ...[...unchecked.sites].filter(Boolean)]);
    if (!strict && feedRegisters && !hint) return true;
    report(item, path, JSON.stringify(code), 'the code of a configured site', hint);
    return false;
  };
  const area = (item: object, path: string, name: string): boolean => {
    if (areas.has(name) || !sitesComplete) return true;
    const hint = didYouMean(name, areas);
    if (feedRegisters && !hint) return true;
    report(item, path, JSON.stringify(name), 'the area of a configured site', hint);
    return false;
  };
  const parameter = (item: object, path: string, code: string): boolean => {
    if (knownParameters.has(code)) return true;
    report(item, path, JSON.stringify(code), EXPECTED_PARAMETER, didYouMean(code, parameterCodes));
    return false;
  };
  /** Every listed site and area is checked; true when all are known. */
  const scopeNames = (item: object, path: string, scope: Pick<RuleScope, 'sites' | 'areas'>): boolean => {
    const sitesOk = (scope.sites ?? []).map((code, i) => site(item, `${path}sites[${i}]`, code)).every(Boolean);
    const areasOk = (scope.areas ?? []).map((name, i) => area(item, `${path}areas[${i}]`, name)).every(Boolean);
    return sitesOk && areasOk;
  };
  /** Could a station the feed registers fall under these criteria? */
  const feedSiteMatches = (scope: { sites?: readonly string[] | undefined; siteKinds?: readonly string[] | undefined }, any: boolean): boolean => {
    if (!feedRegisters) return false;
    const kindOk = scope.siteKinds?.includes(FEED_KIND);
    const codeOk = scope.sites?.some((c) => !siteCodes.has(c));
    return any ? Boolean(kindOk || codeOk) : (scope.siteKinds === undefined || Boolean(kindOk)) && (scope.sites === undefined || Boolean(codeOk));
  };

  // Sites and sources.
  duplicates(items.sites, (s) => s.code, 'code', 'site code');
  duplicates(items.sources, (s) => s.id, 'id', 'source id');
  for (const source of items.sources) {
    if (source.kind === 'hj212-listener') {
      source.stations.forEach((s, i) => {
        site(source, `stations[${i}].site`, s.site, true);
        for (const code of Object.keys(s.units ?? {})) parameter(source, `stations[${i}].units.${code}`, code);
      });
    }
    if (source.kind === 'water-simulator') {
      source.sites.forEach((s, i) => {
        site(source, `sites[${i}].site`, s.site, true);
        for (const code of Object.keys(s.levels)) parameter(source, `sites[${i}].levels.${code}`, code);
      });
    }
    if (source.kind === 'openaq') source.sensors.forEach((s, i) => site(source, `sensors[${i}].site`, s.site, true));
    if (source.kind === 'http-json') {
      source.mapping.values.forEach((v, i) => parameter(source, `mapping.values[${i}].parameter`, v.parameter));
      for (const [name, code] of Object.entries(source.mapping.pairs?.parameters ?? {})) parameter(source, `mapping.pairs.parameters.${name}`, code);
    }
  }

  // Dust-affected days: a real date, a known area, one mark per day and area.
  duplicates(items.dustDays, (d) => `${d.date} ${d.area ?? '(every area)'}`, 'date', 'dust day (date and area)');
  for (const dust of items.dustDays) {
    const [y, m, d] = dust.date.split('-').map(Number) as [number, number, number];
    const problem = dateProblem(y, m, d);
    if (problem) report(dust, 'date', JSON.stringify(dust.date), `a date that exists (${problem})`);
    if (dust.area !== undefined) area(dust, 'area', dust.area);
  }

  // Targets.
  duplicates(items.targets, (t) => t.id, 'id', 'target id');
  for (const target of items.targets) {
    if ('site' in target.scope) site(target, 'scope.site', target.scope.site, true);
    else area(target, 'scope.area', target.scope.area);
    target.seasonalLimits?.forEach((l, i) => parameter(target, `seasonalLimits[${i}].parameter`, l.parameter));
    const dates = (['validFrom', 'validTo'] as const).map((key) => {
      const [y, m, d] = target[key].split('-').map(Number) as [number, number, number];
      const problem = dateProblem(y, m, d);
      if (problem) report(target, key, JSON.stringify(target[key]), `a date that exists (${problem})`);
      return problem === null;
    });
    if (dates.every(Boolean) && target.validTo < target.validFrom) report(target, 'validTo', JSON.stringify(target.validTo), `a date on or after validFrom (${JSON.stringify(target.validFrom)})`);
  }

  // Rules.
  // Near misses are looked for among every id written, valid or not.
  const sourceIds = new Set([...items.sources.map((s) => s.id), ...unchecked.sources]);
  const targetIds = new Set([...items.targets.map((t) => t.id), ...unchecked.targets]);
  duplicates(items.rules, (r) => r.id, 'id', 'rule id');
  for (const rule of items.rules) {
    let inScope: FileConfig['sites'] = [];
    if ('scope' in rule) {
      const namesOk = scopeNames(rule, 'scope.', rule.scope);
      const scope = rule.scope;
      inScope = items.sites.filter((s) => scope.sites?.includes(s.code) || scope.siteKinds?.includes(s.kind) || scope.areas?.includes(s.area));
      const feedArea = feedRegisters && (scope.areas ?? []).some((a) => !areas.has(a));
      if (namesOk && sitesComplete && inScope.length === 0 && !feedSiteMatches(scope, true) && !feedArea) report(rule, 'scope', describeScope(scope, ' or '), NEVER_FIRES);
    }
    switch (rule.kind) {
      case 'threshold': {
        if (!parameter(rule, 'parameter', rule.parameter)) break;
        if (typeof rule.limit === 'number') {
          const { clearAt, limit } = rule;
          if (clearAt !== undefined && (rule.direction === '>' ? clearAt > limit : clearAt < limit)) {
            const side = rule.direction === '>' ? 'below' : 'above';
            report(rule, 'clearAt', showValue(clearAt), `a level at or ${side} the limit ${limit} (direction "${rule.direction}": the alert resolves once the value is back at or ${side} it)`);
          }
          break;
        }
        const grade = rule.limit.grade;
        const limited = (window: LimitWindow) => GB3095_PERIODS.every((at) => gb3095Limit(rule.parameter, window, grade, at) !== null);
        if (limited(rule.window)) break;
        const windows = (['1h', '8h', '24h', 'day'] as const).filter(limited);
        report(
          rule,
          'limit',
          `GB 3095 grade ${grade} for ${rule.parameter} over ${rule.window}`,
          windows.length === 0
            ? 'a parameter GB 3095 Table 1 limits (pm2_5, pm10, so2, no2, co, o3), or a number with its limitSource'
            : `a window GB 3095 Table 1 limits for ${rule.parameter}: ${orList(windows)}`,
        );
        break;
      }
      case 'rate_of_change':
        parameter(rule, 'parameter', rule.parameter);
        break;
      case 'instrument_state':
        rule.parameters?.forEach((p, i) => parameter(rule, `parameters[${i}]`, p));
        break;
      case 'water_class': {
        if (rule.targetClass !== undefined || inScope.length === 0 || !sitesComplete || unchecked.targets.size > 0) break;
        const held = inScope.some((s) => items.targets.some((t) => t.indicator === 'water_class' && t.governing && 'site' in t.scope && t.scope.site === s.code));
        if (!held) report(rule, 'targetClass', 'nothing', 'a targetClass, or a water_class target for a site in the scope (none has one, so this rule could never fire)');
        break;
      }
      case 'target_at_risk': {
        if (rule.targets === undefined) {
          const followed = items.targets.some((t) => t.governing && 'site' in t.scope && AIR_TARGET_INDICATORS.includes(t.indicator));
          if (!followed && unchecked.targets.size === 0) report(rule, 'targets', 'nothing', 'target ids, or a governing air target of a site in the configuration (there is none, so this rule could never fire)');
          break;
        }
        rule.targets.forEach((id, i) => {
          const target = items.targets.find((t) => t.id === id);
          if (!target) {
            if (!unchecked.targets.has(id)) report(rule, `targets[${i}]`, JSON.stringify(id), 'the id of a configured target', didYouMean(id, targetIds));
          } else if (!('site' in target.scope) || !AIR_TARGET_INDICATORS.includes(target.indicator)) {
            report(rule, `targets[${i}]`, JSON.stringify(id), `an air target of a site (target_at_risk follows ${AIR_TARGET_INDICATORS.slice(0, -1).join(', ')} and ${AIR_TARGET_INDICATORS.at(-1) ?? ''})`);
          }
        });
        break;
      }
      case 'no_data':
        rule.sources.forEach((id, i) => {
          const source = items.sources.find((s) => s.id === id);
          if (!source) {
            if (!unchecked.sources.has(id)) report(rule, `sources[${i}]`, JSON.stringify(id), 'the id of a configured source', didYouMean(id, sourceIds));
            return;
          }
          // A source switched off never delivers: watching it would keep an alert open until it is switched on.
          const where = origins.get(source);
          if (!source.enabled && where) report(rule, `sources[${i}]`, JSON.stringify(id), `an enabled source (${where.file} ${where.path} has enabled: false, so this rule would report it silent for ever)`);
        });
        break;
    }
  }

  // Maintenance windows.
  for (const window of items.maintenance) {
    window.sites.forEach((code, i) => site(window, `sites[${i}]`, code));
    window.parameters?.forEach((p, i) => parameter(window, `parameters[${i}]`, p));
    if (Date.parse(window.to) <= Date.parse(window.from)) report(window, 'to', JSON.stringify(window.to), `a time after from (${JSON.stringify(window.from)})`);
  }

  // Recipients.
  const ruleIds = new Set([...items.rules.map((r) => r.id), ...unchecked.rules]);
  duplicates(items.recipients, (r) => r.id, 'id', 'recipient id');
  for (const recipient of items.recipients) {
    recipient.subscriptions.forEach((subscription, j) => {
      const path = `subscriptions[${j}]`;
      const namesOk = scopeNames(recipient, `${path}.`, subscription);
      subscription.parameters?.forEach((p, i) => parameter(recipient, `${path}.parameters[${i}]`, p));
      subscription.rules?.forEach((id, i) => {
        if (!ruleIds.has(id)) report(recipient, `${path}.rules[${i}]`, JSON.stringify(id), 'the id of a configured rule', didYouMean(id, ruleIds));
      });
      if (!namesOk || !sitesComplete || !hasSiteCriteria(subscription)) return;
      const matches = items.sites.some((s) => (!subscription.sites || subscription.sites.includes(s.code)) && (!subscription.areas || subscription.areas.includes(s.area)) && (!subscription.siteKinds || subscription.siteKinds.includes(s.kind)));
      if (!matches && !feedSiteMatches(subscription, false)) {
        report(recipient, path, describeScope(subscription, ' and '), 'criteria that match at least one configured site (this subscription could never match an alert)');
      }
    });
  }
}

function hasSiteCriteria(s: SubscriptionConfig): boolean {
  return s.sites !== undefined || s.areas !== undefined || s.siteKinds !== undefined;
}

/** `sites ["A"] or siteKinds ["air_station"]`, as written. */
function describeScope(scope: { sites?: readonly string[] | undefined; siteKinds?: readonly string[] | undefined; areas?: readonly string[] | undefined }, joiner: string): string {
  const parts = (['sites', 'siteKinds', 'areas'] as const).flatMap((key) => {
    const list = scope[key];
    return list && list.length > 0 ? [`${key} [${list.map((v) => JSON.stringify(v)).join(', ')}]`] : [];
  });
  return parts.length > 0 ? parts.join(joiner) : 'an empty scope';
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`;
}
