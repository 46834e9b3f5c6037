/** `envmon sites`: the sites envmon knows — configured ones and stations a feed registered — and what feeds them. */
import type { AppConfig } from '../../config/load-config.ts';
import { listSites } from '../../db/repositories/site-list.repository.ts';
import type { Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

/** Sources that name a site in the configuration: simulators, HJ 212 stations, OpenAQ sensors. */
export function configuredFeeds(config: AppConfig): Map<string, string[]> {
  const feeds = new Map<string, string[]>();
  const add = (site: string, source: string) => {
    const list = feeds.get(site) ?? [];
    if (!list.includes(source)) list.push(source);
    feeds.set(site, list);
  };
  for (const source of config.sources) {
    if (source.kind === 'water-simulator') for (const s of source.sites) add(s.site, source.id);
    if (source.kind === 'hj212-listener') for (const s of source.stations) add(s.site, source.id);
    if (source.kind === 'openaq') for (const s of source.sensors) add(s.site, source.id);
  }
  return feeds;
}

export const sitesCommand: Command = {
  path: ['sites'],
  summary: 'the sites envmon knows: code, names, kind, area, note and the sources that feed them',
  usage: 'envmon sites [--json]',
  options: { json: { type: 'boolean', default: false, description: 'print [{code, nameZh, nameEn, kind, area, note, origin, sources}] as JSON' } },
  examples: ['envmon sites', 'envmon sites --json'],
  notes: 'sources: those the configuration ties to the site (simulators, HJ 212 stations, OpenAQ sensors) and those that\ndelivered its newest values. origin: config, or feed for a station a feed registered.',
  run: async ({ values }, context) =>
    withDatabase(context, async ({ db }) => {
      const feeds = configuredFeeds(context.config);
      const rows = (await listSites(db)).map(({ recentSources, ...site }) => ({ ...site, sources: [...new Set([...(feeds.get(site.code) ?? []), ...recentSources])].sort() }));
      if (values.json) {
        context.out(JSON.stringify(rows, null, 2));
        return 0;
      }
      const width = (f: (r: (typeof rows)[number]) => string) => Math.max(0, ...rows.map((r) => [...f(r)].length));
      const name = (r: (typeof rows)[number]) => `${r.nameZh} ${r.nameEn}`;
      const pad = (text: string, n: number) => text + ' '.repeat(Math.max(0, n - [...text].length));
      const [wc, wn, wk, wa] = [width((r) => r.code), width(name), width((r) => r.kind), width((r) => r.area)];
      for (const r of rows) {
        const line = [pad(r.code, wc), pad(name(r), wn), pad(r.kind, wk), pad(r.area, wa), r.sources.join(',') || '-'].join('  ');
        context.out(r.note ? `${line}  (${r.note})` : line);
      }
      return 0;
    }),
};
