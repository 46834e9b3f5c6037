/**
 * The site page's chart script (web/assets/site-chart.js), run against a stand-in page and ECharts: the axis top is a
 * round number above the highest value drawn, the open-ended class band reaches it, bands above it are left out
 * and bands too thin for a label go unlabelled. Band limits are GB 3838-2002 Table 1 (river), by hand.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

const script = readFileSync(path.resolve(import.meta.dirname, '../../web/assets/site-chart.js'), 'utf8');

interface Area { name?: string; yAxis: number | string; label?: { show: boolean } }
interface Option { yAxis: { min: number; max: unknown }; series: { markArea?: { data: [Area, Area][] } }[] }

/** Runs the script on a page whose one chart is 300 px tall (224 px of plot) and returns what it gave ECharts. */
function draw(series: unknown): Option {
  const options: Option[] = [];
  const elements: Record<string, unknown> = {
    'site-data': { textContent: JSON.stringify({ lang: 'zh', from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', labels: { hourly: '小时值', mean8: '8小时', mean24: '24小时' }, series: [series] }) },
    'chart-0': { clientHeight: 300 },
  };
  const context = {
    document: { getElementById: (id: string) => elements[id] ?? null },
    echarts: { init: () => ({ setOption: (o: Option) => options.push(o), resize: () => undefined }) },
    window: { addEventListener: () => undefined },
  };
  vm.runInNewContext(script, context);
  const [option] = options;
  if (!option) throw new Error('no chart drawn');
  return option;
}

const bandsOf = (o: Option) => (o.series[0]?.markArea?.data ?? []).map(([from, to]) => [from.name, from.yAxis, to.yAxis, from.label?.show]);
const hourly = (values: number[]) => values.map((v, i) => [`2026-11-01T${String(i).padStart(2, '0')}:00:00Z`, String(v)]);

describe('site chart', () => {
  it('NH3-N up to 1.65 mg/L: axis to 2, Ⅰ…Ⅴ drawn to their limits, 劣Ⅴ (above 2.0) off the chart', () => {
    const option = draw({
      parameter: 'nh3_n', unit: 'mg/L', hourly: hourly([0.9, 1.65, 1.2]), means: [], lines: [],
      bands: [
        { cls: 'I', lo: 0, hi: 0.15, direction: '<=' }, { cls: 'II', lo: 0.15, hi: 0.5, direction: '<=' }, { cls: 'III', lo: 0.5, hi: 1, direction: '<=' },
        { cls: 'IV', lo: 1, hi: 1.5, direction: '<=' }, { cls: 'V', lo: 1.5, hi: 2, direction: '<=' }, { cls: '劣V', lo: 2, hi: null, direction: '<=' },
      ],
    });
    // 1.65 × 1.1 = 1.815 → 2
    expect(option.yAxis).toMatchObject({ min: 0, max: 2 });
    // Ⅰ is 0.15 / 2 × 224 = 16.8 px tall: labelled.
    expect(bandsOf(option)).toEqual([['Ⅰ类', 0, 0.15, true], ['Ⅱ类', 0.15, 0.5, true], ['Ⅲ类', 0.5, 1, true], ['Ⅳ类', 1, 1.5, true], ['Ⅴ类', 1.5, 2, true]]);
  });

  it('TP up to 0.22 mg/L with a Ⅲ target line at 0.2: axis to 0.25, not 1; Ⅳ cut at the top; 劣Ⅴ reaches the top when drawn', () => {
    const bands = [
      { cls: 'I', lo: 0, hi: 0.02, direction: '<=' }, { cls: 'II', lo: 0.02, hi: 0.1, direction: '<=' }, { cls: 'III', lo: 0.1, hi: 0.2, direction: '<=' },
      { cls: 'IV', lo: 0.2, hi: 0.3, direction: '<=' }, { cls: 'V', lo: 0.3, hi: 0.4, direction: '<=' }, { cls: '劣V', lo: 0.4, hi: null, direction: '<=' },
    ];
    const line = { kind: 'target', label: 'Ⅲ类 ≤ 0.2', value: 0.2, from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' };
    const low = draw({ parameter: 'tp', unit: 'mg/L', hourly: hourly([0.12, 0.22]), means: [], lines: [line], bands });
    // 0.22 × 1.1 = 0.242 → 0.25; Ⅰ is 0.02 / 0.25 × 224 = 17.9 px: labelled.
    expect(low.yAxis).toMatchObject({ min: 0, max: 0.25 });
    expect(bandsOf(low)).toEqual([['Ⅰ类', 0, 0.02, true], ['Ⅱ类', 0.02, 0.1, true], ['Ⅲ类', 0.1, 0.2, true], ['Ⅳ类', 0.2, 0.25, true]]);
    // A value of 0.9: 0.99 → axis to 1; 劣Ⅴ from 0.4 to the top; Ⅰ is 0.02 / 1 × 224 = 4.5 px: unlabelled.
    const high = draw({ parameter: 'tp', unit: 'mg/L', hourly: hourly([0.12, 0.9]), means: [], lines: [line], bands });
    expect(high.yAxis).toMatchObject({ max: 1 });
    expect(bandsOf(high)).toEqual([['Ⅰ类', 0, 0.02, false], ['Ⅱ类', 0.02, 0.1, true], ['Ⅲ类', 0.1, 0.2, true], ['Ⅳ类', 0.2, 0.3, true], ['Ⅴ类', 0.3, 0.4, true], ['劣Ⅴ类', 0.4, 1, true]]);
  });

  it('DO (≥) up to 7.2 mg/L: the open-ended Ⅰ band (≥ 7.5) reaches the top of the axis', () => {
    const option = draw({
      parameter: 'do', unit: 'mg/L', hourly: hourly([6.1, 7.2]), means: [], lines: [],
      bands: [
        { cls: 'I', lo: 7.5, hi: null, direction: '>=' }, { cls: 'II', lo: 6, hi: 7.5, direction: '>=' }, { cls: 'III', lo: 5, hi: 6, direction: '>=' },
        { cls: 'IV', lo: 3, hi: 5, direction: '>=' }, { cls: 'V', lo: 2, hi: 3, direction: '>=' }, { cls: '劣V', lo: 0, hi: 2, direction: '>=' },
      ],
    });
    // 7.2 × 1.1 = 7.92 → 8
    expect(option.yAxis).toMatchObject({ max: 8 });
    expect(bandsOf(option)).toEqual([['Ⅰ类 ≥ 7.5', 7.5, 8, true], ['Ⅱ类 ≥ 6', 6, 7.5, true], ['Ⅲ类 ≥ 5', 5, 6, true], ['Ⅳ类 ≥ 3', 3, 5, true], ['Ⅴ类 ≥ 2', 2, 3, true], ['劣Ⅴ类 < 2', 0, 2, true]]);
  });
});
