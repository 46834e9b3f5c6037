/**
 * How a plan target is cited at a date. A target past its period that still governs (a section keeps the latest
 * earlier target until a new plan sets one) is said to be carried over — `十四五目标，2025年末到期，仍沿用` — never
 * cited as if it were the current year's target.
 */

/** The note for a target whose period ended before `day` (YYYY-MM-DD, Beijing); null while it is in its period. */
export function carriedOverNote(target: { document: string; validTo: string }, day: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(target.validTo) || day <= target.validTo) return null;
  const plan = /十四五/.test(target.document) ? '十四五' : /十五五/.test(target.document) ? '十五五' : '规划';
  const end = target.validTo.endsWith('-12-31') ? `${target.validTo.slice(0, 4)}年末` : target.validTo;
  return `${plan}目标，${end}到期，仍沿用`;
}
