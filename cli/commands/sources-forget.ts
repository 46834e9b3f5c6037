/**
 * `envmon sources forget ID --site CODE [--parameter P]`: no-data rules expect every series a source ever delivered,
 * so a station a feed stopped publishing for good keeps its alert firing; an operator retires it here, and the alert
 * resolves as no longer expected at the next check.
 */
import { forgetDeliveredSeries } from '../../db/repositories/source-series.repository.ts';
import { getSource } from '../../db/repositories/sources.repository.ts';
import { originOfKind } from '../../lib/data-origin.ts';
import { UsageError, type Command } from '../command.ts';
import { withDatabase } from '../with-database.ts';

export const sourcesForgetCommand: Command = {
  path: ['sources', 'forget'],
  summary: 'stop expecting a site (or one series of it) that a feed no longer publishes: its no-data alert resolves',
  usage: 'envmon sources forget ID --site CODE [--parameter P]',
  options: {
    site: { type: 'string', value: 'CODE', description: 'the site the source no longer delivers (required)' },
    parameter: { type: 'string', value: 'P', description: 'only this parameter of the site' },
  },
  examples: ['envmon sources forget national --site 1003A', 'envmon sources forget national --site 1003A --parameter co'],
  notes:
    'The readings stay. A source whose configuration names its sites (HJ 212 stations, simulator sites, OpenAQ\nsensors) expects only those: remove the site from the configuration instead. Should the source deliver the series\nagain, it is expected again.',
  run: async ({ values, positionals }, context) => {
    const id = positionals[0];
    if (!id) throw new UsageError('give the id of a source, e.g. envmon sources forget national --site 1003A');
    const site = typeof values.site === 'string' ? values.site.trim() : '';
    if (!site) throw new UsageError('--site CODE is required');
    const parameter = typeof values.parameter === 'string' ? values.parameter.trim() : null;
    return withDatabase(context, async ({ db }) => {
      // The kind as recorded, so that a source since removed from the configuration is judged by what it was.
      const source = await getSource(db, id);
      if (!source) throw new UsageError(`no source "${id}" (envmon sources list shows them)`);
      if (['hj212-listener', 'water-simulator', 'openaq'].includes(source.kind)) throw new UsageError(`${id} expects only the sites its configuration names: remove ${site} there instead`);
      if (originOfKind(source.kind) !== null) throw new UsageError(`${id} is a demonstration source: what it delivered labels its data, and is kept`);
      const forgotten = await forgetDeliveredSeries(db, id, site, parameter);
      if (forgotten.length === 0) throw new UsageError(`${id} delivered nothing for site ${site}${parameter ? ` and parameter ${parameter}` : ''} (envmon sources show ${id} lists what it delivers)`);
      context.out(`${id}: no longer expects ${forgotten.length} series of site ${site} (${forgotten.join(', ')}); its no-data alert resolves at the next check`);
      return 0;
    });
  },
};
