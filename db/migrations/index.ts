/** Every migration, by name. Names are timestamps so they sort in the order they were written. */
import type { Migration } from 'kysely';
import * as initial from './20261122T0000_initial.ts';

export const migrations: Record<string, Migration> = {
  '20261122T0000_initial': initial,
};
