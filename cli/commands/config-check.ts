/**
 * `envmon config check`: the check every command and start-up run, on its own — nothing is started, no database or
 * queue is touched. Exit 0 with a one-line summary, or 2 with every problem.
 */
import { formatProblems } from '../../config/config-error.ts';
import type { Command } from '../command.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const configCheckCommand: Command = {
  path: ['config', 'check'],
  summary: 'validate the configuration (files and environment) without starting anything; exit 2 lists every problem',
  usage: 'envmon config check [--json]',
  options: { json: { type: 'boolean', default: false, description: 'print {ok, files, problems: [{file, path, seen, expected, hint?}], counts} as JSON' } },
  examples: ['envmon config check', 'ENVMON_CONFIG=config/envmon.yaml,config/local.yaml envmon config check --json'],
  notes: 'The same check runs before every other command and at start-up. Environment values are never shown.',
  reportsConfigProblems: true,
  run: ({ values }, { config, configProblems = [], out, note = (text) => process.stderr.write(`envmon: ${text}\n`) }) => {
    const counts = { sites: config.sites.length, sources: config.sources.length, rules: config.rules.length, targets: config.targets.length, recipients: config.recipients.length };
    const ok = configProblems.length === 0;
    if (values.json) out(JSON.stringify(ok ? { ok, problems: [], files: config.configFiles, counts } : { ok, files: config.configFiles, problems: configProblems }, null, 2));
    else if (ok) {
      const what = [plural(counts.sites, 'site'), plural(counts.sources, 'source'), plural(counts.rules, 'rule'), plural(counts.targets, 'target'), plural(counts.recipients, 'recipient')];
      out(`configuration OK (${config.configFiles.join(', ')}): ${what.join(', ')}`);
    } else note(formatProblems(configProblems));
    return Promise.resolve(ok ? 0 : 2);
  },
};
