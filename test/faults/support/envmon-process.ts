/**
 * envmon as separate operating-system processes (`node bin/envmon.mjs …`), so that a fault is what production
 * meets: SIGKILL of a worker in the middle of a job, a process that must reconnect on its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cleanEnv, envmonBin } from '../../support/cli.ts';
import { trackResource } from '../../support/resources.ts';
import { repoRoot } from '../../support/test-service.ts';

export interface EnvmonProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** When the process was spawned (ms since the epoch): jobs it took are those activated after this. */
  readonly spawnedAt: number;
  /** Resolves once the log holds `marker`; rejects if the process exits first. */
  ready(marker?: string): Promise<void>;
  /** Everything written to stdout and stderr so far (the last 200 kB). */
  output(): string;
  readonly exited: Promise<number | null>;
  /** True once the test asked the process to end (kill9 or stop): any other exit is the process's own doing. */
  readonly endedByTest: boolean;
  /** SIGKILL: no shutdown code runs, jobs stay active in the queue until their lock expires. */
  kill9(): Promise<void>;
  /** SIGTERM: the graceful shutdown; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const KEEP = 200_000;

/** Runs `envmon <args>` with the environment of a fresh shell plus `env`. */
export function spawnEnvmon(args: readonly string[], env: Record<string, string>): EnvmonProcess {
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [envmonBin, ...args], { env: cleanEnv(env), cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('could not start envmon');
  const release = trackResource(`envmon ${args.join(' ')} (pid ${child.pid})`);
  let output = '';
  const waiting = new Set<{ marker: string; resolve: () => void }>();
  const onData = (data: Buffer) => {
    output = (output + data.toString()).slice(-KEEP);
    for (const w of waiting) {
      if (output.includes(w.marker)) {
        waiting.delete(w);
        w.resolve();
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      release();
      resolve(code ?? (signal ? -1 : null));
    }),
  );
  const pid = child.pid;
  let endedByTest = false;
  return {
    child,
    pid,
    spawnedAt,
    get endedByTest() {
      return endedByTest;
    },
    ready: (marker = '"envmon starting"') =>
      new Promise<void>((resolve, reject) => {
        if (output.includes(marker)) return resolve();
        waiting.add({ marker, resolve });
        void exited.then((code) => reject(new Error(`envmon ${args.join(' ')} exited with ${code} before "${marker}":\n${output.slice(-4000)}`)));
      }),
    output: () => output,
    exited,
    kill9: async () => {
      endedByTest = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      endedByTest = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
