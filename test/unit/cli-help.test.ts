/** `--help` of every command describes every option and shows an example. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commandList } from '../../cli/command-list.ts';
import { main } from '../../cli/main.ts';

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
    expect(commandList.length).toBeGreaterThan(20);
    for (const entry of commandList) {
      const command = await entry.load();
      const name = entry.path.join(' ');
      const help = await helpOf(entry.path);
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
