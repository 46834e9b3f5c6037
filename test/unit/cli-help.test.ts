/** `--help` of every command describes every option and shows an example. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commands, main } from '../../cli/main.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

async function helpOf(path: readonly string[]): Promise<string> {
  let text = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  const code = await main([...path, '--help'], {}, process.cwd());
  vi.restoreAllMocks();
  expect(code, path.join(' ')).toBe(0);
  return text;
}

describe('envmon <command> --help', () => {
  it('describes every option of every command and gives an example', async () => {
    expect(commands.length).toBeGreaterThan(20);
    for (const command of commands) {
      const name = command.path.join(' ');
      const help = await helpOf(command.path);
      for (const option of Object.keys(command.options)) {
        // The option, then at least two words of description on its line.
        expect(help, `${name} --${option}`).toMatch(new RegExp(`^  --${option}\\b.*\\s{2,}\\S+ \\S+`, 'm'));
      }
      expect(help, name).toMatch(new RegExp(`^examples?:\\n  envmon ${name}`, 'm'));
    }
  });

  it('says that times without a zone are Beijing time', async () => {
    for (const path of [['aqi'], ['stats']]) expect(await helpOf(path)).toContain('Beijing time');
  });
});
