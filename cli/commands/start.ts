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
    // The handlers are in place before start-up: a SIGTERM that arrives while it finishes (the service has already
    // said it is listening) is honoured once it is up, instead of killing the process without a shutdown.
    let signalled: NodeJS.Signals | null = null;
    let onSignal = (signal: NodeJS.Signals) => {
      // A second signal while starting ends the process at once (a start-up that hangs can still be interrupted).
      if (signalled !== null) process.exit(1);
      signalled = signal;
    };
    const handler = (signal: NodeJS.Signals) => onSignal(signal);
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    let service;
    try {
      service = await startService(config, log);
    } catch (error) {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      throw error;
    }
    const running = service;
    await new Promise<void>((resolve) => {
      onSignal = (signal: NodeJS.Signals) => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
        log.info('shutting down', { signal });
        // A second signal, or a shutdown that hangs, ends the process anyway.
        const force = setTimeout(() => {
          log.error('shutdown took too long; exiting');
          process.exit(1);
        }, config.shutdownTimeoutMs + 4_000);
        force.unref();
        process.once('SIGINT', () => process.exit(1));
        running.stop().then(resolve, (error: unknown) => {
          log.error('error during shutdown', { error: error instanceof Error ? error.message : String(error) });
          resolve();
        });
      };
      if (signalled !== null) onSignal(signalled);
    });
    return 0;
  },
};
