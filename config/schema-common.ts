/** Building blocks shared by the configuration schemas: codes, time zones, cron expressions, severities. */
import { z } from 'zod';
import cron from 'node-cron';
import { cronProblem } from './cron-check.ts';

export const siteKinds = ['air_station', 'surface_water', 'drinking_water_source', 'groundwater_well', 'discharge_outlet'] as const;
export type SiteKind = (typeof siteKinds)[number];

export const code = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a code of letters, digits, "_", "." or "-" (at most 64)');
export const timeZone = z.string().refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai');
/** A 5-field cron expression; an error says which field is wrong and why (config/cron-check.ts). */
export const cronExpression = z.string().superRefine((s, ctx) => {
  const problem = cronProblem(s) ?? (cron.validate(s) ? null : 'not accepted by the scheduler');
  if (problem) ctx.addIssue({ code: 'custom', message: `a 5-field cron expression such as "5 * * * *" (${problem})` });
});
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
export const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as FEED_TOKEN');
export const httpUrl = z.string().refine((u) => /^https?:\/\//.test(u), 'an http:// or https:// URL');
export const severity = z.enum(['info', 'warning', 'critical']).default('warning');

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
