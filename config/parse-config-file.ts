/**
 * One configuration file against the schema: its problems, and its valid elements, so that an invalid rule does not
 * hide the references of the others.
 */
import type { z } from 'zod';
import type { UncheckedIds } from './check-references.ts';
import type { ConfigProblem } from './config-error.ts';
import { consoleSchema, dustDaySchema, fileConfigSchema, maintenanceSchema, notificationsSchema, queuesSchema, recipientSchema, retentionSchema, ruleSchema, siteSchema, sourceSchema, targetSchema, type FileConfig } from './schema.ts';
import { isRecord, zodProblems } from './zod-problems.ts';

/** Element schemas of the list sections, to keep the valid elements of a file that has invalid ones. */
const sectionSchemas = { sites: siteSchema, sources: sourceSchema, targets: targetSchema, rules: ruleSchema, maintenance: maintenanceSchema, recipients: recipientSchema, dustDays: dustDaySchema } as const;
export type Section = keyof typeof sectionSchemas;
/** The key that names each element, for references to elements that failed their schema. */
const idKeys: Partial<Record<Section, { key: string; set: keyof UncheckedIds }>> = {
  sites: { key: 'code', set: 'sites' },
  sources: { key: 'id', set: 'sources' },
  targets: { key: 'id', set: 'targets' },
  rules: { key: 'id', set: 'rules' },
  recipients: { key: 'id', set: 'recipients' },
};

export interface ParsedFile {
  sections: Record<Section, { item: object; index: number }[]>;
  notifications?: FileConfig['notifications'];
  queues?: FileConfig['queues'];
  console?: FileConfig['console'];
  retention?: FileConfig['retention'];
}

/**
 * The file's schema problems, and its valid elements: an invalid rule does not hide the references of the others.
 * Elements that failed still lend their id, so nothing that names them is reported as unknown.
 */
export function parseFile(shown: string, raw: unknown, problems: ConfigProblem[], unchecked: UncheckedIds): ParsedFile | undefined {
  const whole = fileConfigSchema.safeParse(raw);
  const sections = Object.fromEntries(Object.keys(sectionSchemas).map((k) => [k, []])) as unknown as ParsedFile['sections'];
  if (whole.success) {
    for (const section of Object.keys(sectionSchemas) as Section[]) {
      (whole.data[section] as object[]).forEach((item, index) => sections[section].push({ item, index }));
    }
    return {
      sections,
      ...(isRecord(raw) && 'notifications' in raw ? { notifications: whole.data.notifications } : {}),
      ...(isRecord(raw) && 'queues' in raw ? { queues: whole.data.queues } : {}),
      ...(isRecord(raw) && 'console' in raw ? { console: whole.data.console } : {}),
      ...(isRecord(raw) && 'retention' in raw ? { retention: whole.data.retention } : {}),
    };
  }
  problems.push(...zodProblems(shown, whole.error, raw, false, fileConfigSchema));
  if (!isRecord(raw)) return undefined;
  for (const section of Object.keys(sectionSchemas) as Section[]) {
    const list = raw[section];
    if (!Array.isArray(list)) continue;
    list.forEach((element: unknown, index) => {
      const result = (sectionSchemas[section] as z.ZodType).safeParse(element);
      if (result.success) sections[section].push({ item: result.data as object, index });
      else {
        const id = idKeys[section];
        const name = id && isRecord(element) ? element[id.key] : undefined;
        if (id && typeof name === 'string') unchecked[id.set].add(name);
        // A site without a readable code still makes the set of sites incomplete.
        else if (section === 'sites') unchecked.sites.add('');
      }
    });
  }
  const notifications = notificationsSchema.safeParse(raw.notifications ?? {});
  const queues = queuesSchema.safeParse(raw.queues ?? {});
  const consoleSection = consoleSchema.safeParse(raw.console ?? {});
  const retention = retentionSchema.safeParse(raw.retention ?? {});
  return {
    sections,
    ...('notifications' in raw && notifications.success ? { notifications: notifications.data } : {}),
    ...('queues' in raw && queues.success ? { queues: queues.data } : {}),
    ...('console' in raw && consoleSection.success ? { console: consoleSection.data } : {}),
    ...('retention' in raw && retention.success ? { retention: retention.data } : {}),
  };
}

