/** Builds the adapter for a configured source. */
import type { LoadedSource } from '../config/load-config.ts';
import { createReplayAdapter } from './replay-csv.ts';
import type { SourceAdapter } from './source-adapter.ts';
import { createWaterSimulator } from './water-simulator.ts';

/** The pull adapter of a scheduled source; null for sources that receive pushed data. */
export function createAdapter(source: LoadedSource): SourceAdapter | null {
  switch (source.kind) {
    case 'replay-csv':
      if (!source.mappingRules) throw new Error(`source ${source.id}: mapping ${source.mapping} was not loaded`);
      return createReplayAdapter({ files: source.files, mappingRules: source.mappingRules, loop: source.loop });
    case 'water-simulator':
      return createWaterSimulator(source);
    case 'hj212-listener':
      return null;
  }
}
