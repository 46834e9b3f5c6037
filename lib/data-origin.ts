/**
 * Demonstration data, labelled wherever it is shown: values from a simulated source (`water-simulator`) are
 * 模拟数据, recorded values replayed as if live (`replay-csv`) are 回放数据. A duty officer must never take a
 * simulated exceedance for a real one. Which sources fed a site or series is recorded in `source_series`; this
 * module only names the kinds and the labels.
 */

export type DataOrigin = 'simulated' | 'replayed';

/** The origin of every value a source of this kind delivers; null for measured data. */
export function originOfKind(kind: string | null | undefined): DataOrigin | null {
  return kind === 'water-simulator' ? 'simulated' : kind === 'replay-csv' ? 'replayed' : null;
}

export const originLabels: Record<DataOrigin, { zh: string; en: string }> = {
  simulated: { zh: '模拟数据', en: 'SIMULATED' },
  replayed: { zh: '回放数据', en: 'REPLAYED' },
};

/** Of several origins, the one a reader must be warned of first: anything simulated makes the whole simulated. */
export function strongestOrigin(origins: Iterable<DataOrigin | null | undefined>): DataOrigin | null {
  let found: DataOrigin | null = null;
  for (const o of origins) {
    if (o === 'simulated') return 'simulated';
    if (o === 'replayed') found = 'replayed';
  }
  return found;
}

/** `origin` and its Chinese label, as JSON output carries them (both null for measured data). */
export function originFields(origin: DataOrigin | null | undefined): { origin: DataOrigin | null; originLabel: string | null } {
  return { origin: origin ?? null, originLabel: origin ? originLabels[origin].zh : null };
}

/** `【模拟数据】` before a headline or subject; empty for measured data. */
export function originMark(origin: DataOrigin | null | undefined, language: 'zh-CN' | 'en' = 'zh-CN'): string {
  if (!origin) return '';
  return language === 'en' ? `[${originLabels[origin].en}] ` : `【${originLabels[origin].zh}】`;
}
