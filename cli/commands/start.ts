import { startService } from '../../workers/main.ts';
import type { Command } from '../command.ts';

export const startCommand: Command = {
  path: ['start'],
  summary: 'run the scheduler and workers until Ctrl-C or SIGTERM',
  usage: 'envmon start',
  options: {},
  examples: ['envmon start', 'ENVMON_ROLE=worker REDIS_URL=redis://127.0.0.1:6379 envmon start'],
  notes: 'The configuration is checked first (as envmon config check does); an invalid one stops start-up with exit 2.',
  run: async (_args, { config, log }) => {
    const service = await startService(config, log);
    await new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        log.info('shutting down', { signal });
        // A second signal, or a shutdown that hangs, ends the process anyway.
        const force = setTimeout(() => {
          log.error('shutdown took too long; exiting');
          process.exit(1);
        }, config.shutdownTimeoutMs + 4_000);
        force.unref();
        process.once('SIGINT', () => process.exit(1));
        service.stop().then(resolve, (error: unknown) => {
          log.error('error during shutdown', { error: error instanceof Error ? error.message : String(error) });
          resolve();
        });
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    return 0;
  },
};
