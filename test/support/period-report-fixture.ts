/**
 * A monthly report built by hand in the shapes of standards/assessment-types.ts, for the renderers' tests: one
 * site with valid figures, one whose PM2.5 and composite index are invalid (too few days), an area, a water section
 * and a drinking-water source, one alert and one target with a reference.
 */
import type { AirAssessment, AirFigures, AssessedPollutant, PeriodConcentration, WaterAssessment } from '../../standards/assessment-types.ts';
import type { PeriodReport } from '../../reports/period-report.ts';

const conc = (value: string | null, statistic: PeriodConcentration['statistic'] = 'mean', validCount = 30): PeriodConcentration => ({ value, validCount, required: 27, valid: value !== null, statistic });

function figures(pm25: string | null, composite: string | null, validDays = 30): AirFigures {
  const concentrations: Record<AssessedPollutant, PeriodConcentration> = {
    so2: conc('12'), no2: conc('30'), pm10: conc('70'), pm2_5: conc(pm25, 'mean', pm25 === null ? 20 : 30), co: conc('1.2', 'p95'), o3_8h: conc('98', 'p90'),
  };
  return {
    days: 30, validDays, goodDays: 25, goodRatio: '83.3', heavyDays: 1, heavyRatio: '3.3', categories: { 优: 10, 良: 15 }, primaryPollutantDays: { pm2_5: 12 },
    concentrations, subIndices: { so2: '0.20', no2: '0.75', pm10: '1.00', pm2_5: pm25 === null ? null : '1.00', co: '0.30', o3_8h: '0.61' }, compositeIndex: composite, primaryPollutant: composite === null ? null : ['pm2_5'],
  };
}

function air(site: string, name: string, pm25: string | null, composite: string | null, last: { pm25: string; composite: string }, originLabel: string | null = null): AirAssessment {
  return {
    ...figures(pm25, composite), site, name, from: '2026-11-01', to: '2026-11-30', standard: { editions: ['HJ 633-2026'], note: null }, dustDays: [], withoutDust: figures(pm25, composite),
    previousYear: { from: '2025-11-01', to: '2025-11-30', figures: figures(last.pm25, last.composite), change: { compositeIndex: composite === null ? null : '-4.8', pm2_5: pm25 === null ? null : '-10.3', goodRatio: '2.0' } },
    originLabel,
  };
}

export function monthlyFixture(): PeriodReport {
  const jc = air('JC-AIR-1', '交城县站', '35.0', '3.86', { pm25: '39.0', composite: '4.05' }, '模拟数据');
  const ws = air('JC-AIR-2', '文水县站', null, null, { pm25: '41.2', composite: '4.31' });
  const area = { ...air('', '吕梁市交城县', '35.0', '3.86', { pm25: '39.0', composite: '4.05' }), site: undefined, area: '吕梁市交城县', sites: ['JC-AIR-1', 'JC-AIR-2'] } as AirAssessment;
  const water: WaterAssessment = {
    from: '2026-11-01', to: '2026-11-30',
    months: [
      { site: 'JC-SW-WULIANG', name: '武良', kind: 'surface_water', period: '2026-11', samples: 180, means: { nh3_n: '1.035' }, class: 'IV', worstParameters: ['nh3_n'], target: { id: 'wuliang', class: 'III', document: '十四五规划', reference: false }, meetsTarget: false, assumptions: [], originLabel: '模拟数据' },
      { site: 'JC-DW-1', name: '水源地', kind: 'drinking_water_source', period: '2026-11', samples: 0, means: {}, class: null, worstParameters: [], target: { id: 'dw', class: 'III', document: '十四五规划', reference: true }, meetsTarget: null, assumptions: [], originLabel: null },
    ],
    period: [],
    classIIIOrBetter: { count: 0, assessed: 1, ratio: '0.0' },
    drinkingWaterCompliance: { count: 0, assessed: 0, ratio: null },
  };
  return {
    kind: 'monthly', period: '2026-11', title: '2026年11月环境质量月报（模拟数据）', from: '2026-11-01', to: '2026-11-30', complete: true, asOf: null, originLabels: ['模拟数据'],
    air: { sites: [jc, ws], areas: [area] },
    ranking: [
      { rank: 1, tied: false, site: 'JC-AIR-1', name: '交城县站', value: '3.86', assessment: jc },
      { rank: 2, tied: false, site: 'JC-AIR-2', name: '文水县站', value: null, assessment: ws },
    ],
    water,
    alerts: [{ id: 7, rule: 'pm25-over', severity: 'warning', state: 'resolved', site: 'JC-AIR-1', siteName: '交城县站', parameter: 'pm2_5', firstSeenAt: '2026-11-10T02:00:00.000Z', firedAt: '2026-11-10T03:00:00.000Z', resolvedAt: '2026-11-10T09:00:00.000Z', originLabel: '模拟数据' }],
    targets: [
      { id: 'pm25-2026', document: '十五五规划', nature: 'binding', governing: false, indicator: 'pm2_5_annual_mean', scope: { site: 'JC-AIR-1' }, baseline: null, target: { comparator: '<=', value: '33' }, validFrom: '2026-01-01', validTo: '2030-12-31', year: 2026, asOf: '2026-11-30', progress: { current: '36.2', basis: 330, required: '33', meets: false, projection: '余下31天均值需 ≤ 2.1 μg/m³' }, origin: null, originLabel: null, reference: true, statusNote: '新一期目标待批复，暂作参考' },
    ] as PeriodReport['targets'],
    targetsNote: null,
  };
}
