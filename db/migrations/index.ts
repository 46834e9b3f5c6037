/** Every migration, by name. Names are timestamps so they sort in the order they were written. */
import type { Migration } from 'kysely';
import * as initial from './20261122T0000_initial.ts';
import * as bulkIngest from './20261122T0100_bulk_ingest.ts';

export const migrations: Record<string, Migration> = {
  '20261122T0000_initial': initial,
  '20261122T0100_bulk_ingest': bulkIngest,
};
