/**
 * Report charts drawn by Apache ECharts on the server (its SSR mode writes an SVG string, no DOM and no canvas)
 * and turned into PNG by resvg for mail: clients that show no SVG and no external images (Outlook, QQ Mail) still
 * show a PNG attached by Content-ID. The HTML reports embed the SVG itself. Chinese text needs a CJK font at PNG
 * time; without one the chart is still drawn (its Chinese glyphs missing) and a warning says which files were
 * looked for.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Resvg as ResvgClass } from '@resvg/resvg-js';
import type * as Echarts from 'echarts';
import type { Logger } from '../lib/logger.ts';

// The charting library and the rasteriser are loaded on first use: most envmon commands never draw a chart, and
// loading them costs every command's start-up about a second of CPU.
const require = createRequire(import.meta.url);
const echartsModule = (): typeof Echarts => require('echarts') as typeof Echarts;
const resvgClass = (): typeof ResvgClass => (require('@resvg/resvg-js') as { Resvg: typeof ResvgClass }).Resvg;

/** Where Debian's fonts-noto-cjk (and common alternatives) put a CJK font. */
export const CJK_FONT_FILES: readonly string[] = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
];
const FONT_FAMILY = 'Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif';

export interface BarSeries {
  /** Legend name, e.g. 2026年11月. */
  name: string;
  /** One value per category as its published decimal text; null = no valid figure (no bar, labelled 无效). */
  values: readonly (string | null)[];
}

export interface BarChart {
  title: string;
  subtitle?: string;
  /** Category labels (site names, days). */
  categories: readonly string[];
  series: readonly BarSeries[];
  /** Name of the value axis with its unit, e.g. "PM2.5（μg/m³）". */
  valueAxisName: string;
  /** A dashed reference line (a target or a limit) and its label. */
  line?: { value: number; label: string };
  /** Bars above the line in red. */
  highlightAbove?: boolean;
  /** What a slot without a valid figure says (default 无效). */
  missingLabel?: string;
  /** Value labels on the bars (off for long series such as 30 days). */
  valueLabels?: boolean;
  width?: number;
  height?: number;
}

const COLOURS = ['#4285f4', '#a0a0a0', '#34a853'];

/** The chart as an SVG document (ECharts server-side rendering). */
export function barChartSvg(spec: BarChart): string {
  const width = spec.width ?? 720;
  const height = spec.height ?? 320;
  const chart = echartsModule().init(null, null, { renderer: 'svg', ssr: true, width, height });
  // Slots narrower than the missing label (30 days in 640 px): the label stands upright in its slot, not across its
  // neighbours'.
  const narrow = (width - 80) / Math.max(1, spec.categories.length) < 12 * (spec.missingLabel ?? '无效').length;
  const line = spec.line?.value ?? 0;
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: FONT_FAMILY },
      title: { text: spec.title, subtext: spec.subtitle ?? '', left: 'center', textStyle: { fontSize: 15, fontFamily: FONT_FAMILY }, subtextStyle: { fontFamily: FONT_FAMILY } },
      legend: spec.series.length > 1 ? { bottom: 4, textStyle: { fontFamily: FONT_FAMILY } } : undefined,
      // The value axis's name sits above the plot, on a line of its own below the title (a long title would run into it).
      grid: { left: 56, right: 24, top: spec.subtitle ? 88 : 72, bottom: spec.series.length > 1 ? 64 : 40 },
      xAxis: { type: 'category', data: [...spec.categories], axisLabel: { fontFamily: FONT_FAMILY, interval: spec.categories.length > 12 ? 'auto' : 0, hideOverlap: true } },
      // The reference line is always on the chart, even when every bar is far below it.
      yAxis: { type: 'value', name: spec.valueAxisName, nameTextStyle: { fontFamily: FONT_FAMILY, align: 'left' }, axisLabel: { fontFamily: FONT_FAMILY }, ...(spec.line ? { max: (extent: { max: number }) => roundTop(Math.max(extent.max, line) * 1.1) } : {}) },
      series: spec.series.map((s, i) => ({
        type: 'bar',
        name: s.name,
        itemStyle: { color: COLOURS[i] ?? '#4285f4' },
        data: s.values.map((v) =>
          // An invalid figure is written 无效 at the foot of its slot, never left as an empty slot that reads as 0.
          v === null
            ? { value: 0, label: { show: true, position: 'top', formatter: spec.missingLabel ?? '无效', color: '#888888', fontSize: 10, fontFamily: FONT_FAMILY, ...(narrow ? { rotate: 90, align: 'left', verticalAlign: 'middle' } : {}) } }
            : {
                value: Number(v),
                label: { show: spec.valueLabels ?? true, position: 'top', formatter: v, fontSize: 10, fontFamily: FONT_FAMILY },
                ...(i === 0 && spec.highlightAbove && spec.line && Number(v) > spec.line.value ? { itemStyle: { color: '#db4437' } } : {}),
              },
        ),
        ...(i === 0 && spec.line
          ? { markLine: { symbol: 'none', silent: true, lineStyle: { type: 'dashed', color: '#f4a000' }, label: { formatter: spec.line.label, position: 'insideEndTop', fontFamily: FONT_FAMILY, color: '#c07800', backgroundColor: '#ffffff', padding: 2 }, data: [{ yAxis: spec.line.value }] } }
          : {}),
      })),
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export interface PngOptions {
  /** Font files to use; default: the first of CJK_FONT_FILES that exists. */
  fontFiles?: readonly string[];
  log?: Pick<Logger, 'warn'>;
}

/** An SVG rendered to PNG at its own size, with a CJK font; warns (and still renders) when none is found. */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const candidates = options.fontFiles ?? CJK_FONT_FILES;
  const found = candidates.filter((f) => existsSync(f));
  if (found.length === 0) {
    options.log?.warn('no CJK font found: Chinese text in the chart image will be missing; install fonts-noto-cjk', { looked: candidates.join(', ') });
  }
  const Resvg = resvgClass();
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    font: { fontFiles: found.slice(0, 1), loadSystemFonts: found.length === 0, defaultFontFamily: 'Noto Sans CJK SC' },
  });
  return resvg.render().asPng();
}

/** A round axis top at or above x: 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten. */
export function roundTop(x: number): number {
  if (!(x > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  const step = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((k) => k * power >= x * (1 - 1e-9)) ?? 10;
  return Number((step * power).toPrecision(12));
}
