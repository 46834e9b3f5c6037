import path from 'node:path';
import { importRecords, type ImportEvaluation } from '../../evaluate/import-records.ts';
import { fileFormats, readRecordsFromFile, type FileFormat } from '../../sources/file-formats.ts';
import { UsageError, type Command, type CommandContext } from '../command.ts';
import { withDatabase } from '../with-database.ts';

export const importCommand: Command = {
  path: ['import'],
  summary: 'import a file of readings; returns once the data is stored, its rolling windows refreshed and the rules run on it',
  usage: `envmon import FILE --format ${fileFormats.join('|')} [--mapping FILE] [--source ID] [--site CODE] [--register-sites] [--no-evaluate] [--dry-run] [--json]`,
  options: {
    format: { type: 'string', value: fileFormats.join('|'), description: 'the file\'s format (required)' },
    mapping: { type: 'string', value: 'FILE', description: 'column mapping of a CSV file, e.g. config/mappings/beijing-multisite.yaml' },
    source: { type: 'string', value: 'ID', description: 'store as data of this configured source (an HJ 212 listener also gives its station table)' },
    site: { type: 'string', value: 'CODE', description: 'the site of a file that does not name one' },
    'register-sites': { type: 'boolean', default: false, description: 'register the stations the file describes as sites' },
    'dry-run': { type: 'boolean', default: false, description: 'parse and validate with exact counts, storing nothing' },
    'no-evaluate': { type: 'boolean', default: false, description: 'bulk history: store and refresh the rolling windows, but run no rules (no alert is opened or notified)' },
    json: { type: 'boolean', default: false, description: 'print the counts as JSON' },
  },
  examples: ['envmon import data/beijing-multisite/PRSA_Data_Dongsi_2016.csv --format csv --mapping config/mappings/beijing-multisite.yaml', 'envmon import capture.log --format hj212 --source county-stations --dry-run'],
  run: async ({ values, positionals }, context) => {
    const { config } = context;
    const file = positionals[0];
    if (!file) throw new UsageError('import needs a FILE');
    const format = values.format;
    if (typeof format !== 'string' || !(fileFormats as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${fileFormats.join(', ')}`);
    const mapping = typeof values.mapping === 'string' ? path.resolve(values.mapping) : undefined;
    const source = typeof values.source === 'string' ? config.sources.find((s) => s.id === values.source) : undefined;
    if (typeof values.source === 'string' && !source) throw new UsageError(`no source "${values.source}" in the configuration`);
    // An HJ 212 listener's station table tells which site each MN stands for.
    const stations = source?.kind === 'hj212-listener' ? new Map(source.stations.map((s) => [s.mn, s])) : undefined;
    const records = readRecordsFromFile(path.resolve(file), format as FileFormat, {
      ...(mapping ? { mapping } : {}),
      ...(typeof values.site === 'string' ? { site: values.site } : {}),
      ...(stations ? { stations: (mn: string) => stations.get(mn) } : {}),
      ...(values['register-sites'] === true ? { registerSites: true } : {}),
    });

    return withDatabase(
      context,
      async ({ storeDeps }) => {
        // Imported data is judged by the rules as pulled data is, late data at its own times; the configuration is
        // passed either way, so that work an interrupted earlier run left to the rules is finished too.
        const summary = await importRecords(records, storeDeps, {
          sourceId: typeof values.source === 'string' ? values.source : null,
          dryRun: values['dry-run'] === true,
          registerSites: values['register-sites'] === true,
          evaluate: values['no-evaluate'] !== true,
          config,
          log: context.log,
        });
        if (values.json) context.out(JSON.stringify(summary, null, 2));
        else {
          context.out(`${values['dry-run'] ? 'dry run (nothing stored): ' : ''}parsed ${summary.parsed}, stored ${summary.stored}, unchanged ${summary.unchanged}, revised ${summary.revised}, rejected ${summary.rejected}`);
          for (const [reason, n] of Object.entries(summary.reasons)) context.out(`  rejected ${reason}: ${n}`);
          if (summary.evaluation) context.out(evaluationLine(summary.evaluation));
        }
        return unfinished(summary.evaluation, context);
      },
      { poolSize: 4 },
    );
  },
};

function evaluationLine(evaluation: ImportEvaluation): string {
  const windows = `rolling windows of ${evaluation.series} series refreshed`;
  if (!evaluation.rules) return `${windows}; rules not run (--no-evaluate)`;
  const { opened, fired, resolved, late } = evaluation.alerts;
  return `${windows}; rules run: alerts opened ${opened}, fired ${fired}, resolved ${resolved}, late exceedances ${late}`;
}

/**
 * Exit 1 when the data is stored but the windows and rules of some sites could not be finished: they are left
 * pending (envmon status shows them), for the service's recovery, the next import or envmon aggregates rebuild.
 */
export function unfinished(evaluation: ImportEvaluation | undefined, context: Pick<CommandContext, 'note'>): number {
  const failed = evaluation?.failedSites ?? 0;
  if (failed === 0) return 0;
  context.note?.(`envmon: the data is stored, but the windows and rules of ${failed} site${failed === 1 ? '' : 's'} could not be finished (see the log above); they are left pending — envmon status shows them, and the service, the next import or envmon aggregates rebuild finishes them`);
  return 1;
}
