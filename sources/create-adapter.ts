/** Builds the adapter for a configured source. */
import type { LoadedSource } from '../config/load-config.ts';
import { createReplayAdapter } from './replay-csv.ts';
import type { SourceAdapter } from './source-adapter.ts';
import { createWaterSimulator } from './water-simulator.ts';

export function createAdapter(source: LoadedSource): SourceAdapter {
  switch (source.kind) {
    case 'replay-csv':
      if (!source.mappingRules) throw new Error(`source ${source.id}: mapping ${source.mapping} was not loaded`);
      return createReplayAdapter({ files: source.files, mappingRules: source.mappingRules, loop: source.loop });
    case 'water-simulator':
      return createWaterSimulator(source);
  }
}
