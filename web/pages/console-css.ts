/**
 * /assets/console.css: the console's style sheet, followed by the AQI category colours generated from the
 * standards module (HJ 633 Table 2 RGB), so the page colours can never drift from the standard's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../lib/project-root.ts';
import { categoryOf } from '../../standards/aqi.ts';

/** The first AQI of each category: 优 良 轻度 中度 重度 严重. */
const CATEGORY_STARTS = [0, 51, 101, 151, 201, 301];

export function aqiCategoryCss(): string {
  return CATEGORY_STARTS.map((aqi) => {
    const c = categoryOf(aqi);
    const [r, g, b] = c.rgb;
    // Dark text on green, yellow and orange; white on red, purple and maroon (contrast).
    const ink = r * 0.299 + g * 0.587 + b * 0.114 > 140 ? '#1f2933' : '#ffffff';
    return `.aqi-${c.level} { background: rgb(${r}, ${g}, ${b}); color: ${ink}; } /* ${c.nameZh} ${c.colorZh} */`;
  }).join('\n');
}

export function consoleCss(): string {
  return `${readFileSync(path.join(projectRoot, 'web', 'assets', 'console.css'), 'utf8')}\n/* HJ 633 Table 2 */\n${aqiCategoryCss()}\n`;
}
