import { openDatabase } from '../../db/open-database.ts';
import type { Command } from '../command.ts';

export const migrateCommand: Command = {
  path: ['migrate'],
  summary: 'bring the database schema up to date',
  usage: 'envmon migrate',
  options: {},
  examples: ['envmon migrate', 'DATABASE_URL=postgres://envmon@db/envmon envmon migrate'],
  run: async (_args, { config, log, out }) => {
    // Opening the database migrates it.
    const database = await openDatabase(config, log, { poolSize: 2 });
    await database.close();
    out('database schema is up to date');
    return 0;
  },
};
