/**
 * Opens envmon's database: DATABASE_URL when set, otherwise the embedded PostgreSQL under the var folder
 * (attached if another envmon process already runs it, started otherwise). Migrates to the latest schema.
 */
import type { AppConfig } from '../config/load-config.ts';
import type { Logger } from '../lib/logger.ts';
import { connectDatabase, type DatabaseHandle } from './connect.ts';
import { migrateToLatest } from './migrate.ts';

export interface OpenDatabase extends DatabaseHandle {
  readonly connectionString: string;
  readonly embedded: boolean;
}

export async function openDatabase(config: Pick<AppConfig, 'databaseUrl' | 'varDir'>, log: Logger, options: { poolSize?: number } = {}): Promise<OpenDatabase> {
  // Loaded only without DATABASE_URL: a command against an external database does not pay for it at start-up.
  const embedded = config.databaseUrl ? null : await (await import('./embedded-postgres.ts')).openEmbeddedPostgres(config.varDir, log);
  const connectionString = config.databaseUrl ?? embedded?.connectionString ?? '';
  const handle = connectDatabase(connectionString, {
    max: options.poolSize ?? 10,
    onIdleError: (error) => log.warn('idle database connection closed by the server', { error: error.message }),
  });
  try {
    await migrateToLatest(handle.db);
  } catch (error) {
    await handle.close();
    await embedded?.stop();
    throw error;
  }
  return {
    ...handle,
    connectionString,
    embedded: embedded !== null,
    close: async () => {
      await handle.close();
      await embedded?.stop();
    },
  };
}
