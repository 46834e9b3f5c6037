import { openDatabase, type OpenDatabase } from '../db/open-database.ts';
import { syncConfig } from '../db/sync-config.ts';
import type { StoreDeps } from '../ingest/store-batch.ts';
import type { CommandContext } from './command.ts';

export interface CommandDatabase extends OpenDatabase {
  /** What storing readings needs, with the parameter ids the configuration sync returned. */
  readonly storeDeps: StoreDeps;
}

/** Runs a command's work on the database, with the configuration applied, and always closes it. */
export async function withDatabase<T>(context: CommandContext, work: (database: CommandDatabase) => Promise<T>, options: { poolSize?: number } = {}): Promise<T> {
  const database = await openDatabase(context.config, context.log, { poolSize: options.poolSize ?? 2 });
  try {
    const parameterIds = await syncConfig(database.db, context.config);
    const storeDeps: StoreDeps = { db: database.db, pool: database.pool, parameterIds, partitions: new Set(), now: () => new Date() };
    return await work({ ...database, storeDeps });
  } finally {
    await database.close();
  }
}
