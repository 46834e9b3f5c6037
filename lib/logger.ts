/** Structured JSON-lines logger that scrubs known secret values from every line it writes. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Values that must never appear in a log line (passwords, tokens). */
  secrets?: readonly string[];
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions, bindings: Record<string, unknown> = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (order[level] < order[options.level]) return;
    const entry = { time: new Date().toISOString(), level, msg: message, ...bindings, ...fields };
    write(scrub(JSON.stringify(entry, errorReplacer), secrets));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (more) => createLogger(options, { ...bindings, ...more }),
  };
}

/** Replaces every occurrence of a secret, and any password in a URL, with `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s"]*:)[^@/\s"]+@/gi, '$1***@');
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
