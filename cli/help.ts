/** The text of `envmon --help` and `envmon <command> --help`. */
import type { Command } from './command.ts';

export function overviewHelp(list: readonly Pick<Command, 'path' | 'summary'>[]): string {
  const width = Math.max(...list.map((c) => c.path.join(' ').length));
  return [
    'envmon — air and water quality monitoring against China\'s standards and plan targets',
    '',
    'usage: envmon <command> [options]   (envmon <command> --help for its options)',
    '       envmon --version',
    '',
    ...list.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const options = [
    ...Object.entries(command.options).map(([name, o]) => ({ flag: `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`, text: describe(o) })),
    { flag: '-h, --help', text: 'show this help' },
  ];
  const width = Math.max(...options.map((o) => o.flag.length));
  return [
    command.usage,
    '',
    `  ${command.summary}`,
    '',
    'options:',
    ...options.map((o) => `  ${o.flag.padEnd(width)}  ${o.text}`),
    ...(command.notes ? ['', command.notes] : []),
    '',
    command.examples.length === 1 ? 'example:' : 'examples:',
    ...command.examples.map((e) => `  ${e}`),
  ].join('\n');
}

function describe(option: Command['options'][string]): string {
  const fallback = option.default !== undefined && option.type === 'string' ? ` (default ${String(option.default)})` : '';
  return option.description + fallback;
}
