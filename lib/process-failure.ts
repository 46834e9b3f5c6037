/** Why a helper process (initdb, useradd, …) failed, in one line that is never empty. */

interface ProcessError {
  message?: string;
  code?: string;
  signal?: string | null;
  status?: number | null;
  stderr?: Buffer | string;
  stdout?: Buffer | string;
}

export function processFailureText(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ProcessError;
  const lines = [e.stderr, e.stdout]
    .map((out) => (out === undefined ? '' : out.toString()))
    .join('\n')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  // The tools print progress to stdout and the reason to stderr, last; prefer a line that says it is the reason.
  const reason = lines.filter((l) => /\b(error|fatal|could not|cannot|permission denied)\b/i.test(l)).pop() ?? (e.stderr ? e.stderr.toString().trim().split('\n').pop() : undefined);
  if (reason) return reason;
  // Nothing printed: the program did not start (EACCES, ENOENT) or was killed.
  if (e.code && e.message) return e.message;
  if (e.signal) return `killed by ${e.signal}, with no output`;
  if (typeof e.status === 'number') return `exit code ${e.status}, with no output`;
  return e.message || 'failed with no output';
}
