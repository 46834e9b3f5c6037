import { openDatabase, type OpenDatabase } from '../db/open-database.ts';
import { syncConfig } from '../db/sync-config.ts';
import type { CommandContext } from './command.ts';

/** Runs a command's work on the database, with the configuration applied, and always closes it. */
export async function withDatabase<T>(context: CommandContext, work: (database: OpenDatabase) => Promise<T>): Promise<T> {
  const database = await openDatabase(context.config, context.log, { poolSize: 2 });
  try {
    await syncConfig(database.db, context.config);
    return await work(database);
  } finally {
    await database.close();
  }
}
