/**
 * Counts from the Beijing CSV files themselves, without envmon's reader: the expected number of readings of a
 * period, to check that the run without faults stored everything it was given.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../support/test-service.ts';

export const beijingFiles = ['Dongsi', 'Tiantan', 'Guanyuan', 'Wanshouxigong'].map((s) => path.join(repoRoot, `data/beijing-multisite/PRSA_Data_${s}_2016.csv`));

/** Non-NA pollutant cells (PM2.5 … O3) of rows labelled from `from` to `to` inclusive (Beijing time, "YYYY-MM-DDTHH:MM"). */
export function beijingReadings(from: string, to: string, files: readonly string[] = beijingFiles): number {
  let n = 0;
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').trim().split(/\r?\n/).slice(1)) {
      const cells = line.split(',');
      const [year, month, day, hour] = cells.slice(1, 5).map(Number);
      const label = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00`;
      if (label >= from && label <= to) n += cells.slice(5, 11).filter((c) => c !== 'NA').length;
    }
  }
  return n;
}
