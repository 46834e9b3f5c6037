/** Prints a scenario's figures as aligned lines, so a CI log shows cycles, kills, lost and duplicated. */
export function printScenario(title: string, figures: Record<string, string | number>): void {
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  const lines = Object.entries(figures).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  process.stdout.write(`\n[faults] ${title}\n${lines.join('\n')}\n`);
}
