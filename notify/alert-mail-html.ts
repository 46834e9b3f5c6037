/**
 * The HTML body of an alert mail, made to be read on a phone: one column at most 600 px wide, the severity's colour
 * on each alert, an AQI category in its HJ 633 colour, and the action as a large button. Styles are inline because
 * mail clients drop style sheets; nothing is loaded from the network. Every text is escaped here.
 */
import type { Severity } from './routing.ts';
import type { ItemStatus } from './message-order.ts';
import { escapeHtml } from '../lib/escape-html.ts';

/** A colour chip behind the start of a value (an AQI category): its text, background and the text colour readable on it. */
export interface Swatch {
  text: string;
  background: string;
  foreground: string;
}

/** What the reader can do about an item: open it in the console (to acknowledge or to read its history) or run the ack command. */
export type ItemAction = { kind: 'ack-link' | 'history-link'; label: string; href: string } | { kind: 'ack-command'; label: string; command: string };

export interface MailBlock {
  head: string;
  severity: Severity;
  status: ItemStatus;
  /** Label, value and, for a category, its colour. */
  lines: [string, string, Swatch?][];
  action: ItemAction | null;
}

export interface MailSection {
  title: string;
  blocks: MailBlock[];
}

/** Severity colours, dark enough for white text (contrast above 4.5:1); a recovered item is grey, whatever it was. */
export const severityColours: Record<Severity, string> = { critical: '#B71C1C', warning: '#BF5000', info: '#1565C0' };
const resolvedColour = '#616161';


/** Black or white, whichever reads on `rgb` (ITU-R BT.601 luma): black on HJ 633 green, yellow and orange, white on the others. */
export function textOn(rgb: readonly [number, number, number]): string {
  return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 140 ? '#000000' : '#FFFFFF';
}

const FONT = "'Noto Sans CJK SC','PingFang SC','Microsoft YaHei','Source Han Sans SC',sans-serif";

export function renderAlertHtml(input: { language: 'zh-CN' | 'en'; summary: string; badges: Record<Severity | 'late' | 'resolved', string>; sections: MailSection[]; footer: string }): string {
  const lead = input.sections.flatMap((s) => s.blocks)[0];
  const top = lead ? colourOf(lead) : resolvedColour;
  const body = input.sections
    .map((section) => [section.title ? `<h2 style="font-size:15px;line-height:1.4;margin:20px 12px 8px;color:#444444">${escapeHtml(section.title)}</h2>` : '', ...section.blocks.map((b) => card(b, input.badges))].join('\n'))
    .join('\n');
  return [
    `<!DOCTYPE html><html lang="${input.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(input.summary)}</title></head>`,
    `<body style="margin:0;padding:0;background:#EEEEEE">`,
    `<div style="max-width:600px;margin:0 auto;background:#FFFFFF;font-family:${FONT};font-size:16px;line-height:1.5;color:#1F1F1F">`,
    `<div style="border-top:8px solid ${top};padding:14px 12px 4px"><div style="font-size:18px;font-weight:bold;line-height:1.4;word-break:break-word">${escapeHtml(input.summary)}</div></div>`,
    body,
    `<p style="margin:16px 12px 0;padding:12px 0 20px;border-top:1px solid #E0E0E0;font-size:13px;color:#666666">${escapeHtml(input.footer)}</p>`,
    `</div></body></html>`,
  ].join('\n');
}

function colourOf(block: MailBlock): string {
  return block.status === 'resolved' ? resolvedColour : severityColours[block.severity];
}

function card(block: MailBlock, badges: Record<Severity | 'late' | 'resolved', string>): string {
  const colour = colourOf(block);
  const badge = (text: string, background: string) => `<span style="display:inline-block;background:${background};color:#FFFFFF;font-size:13px;font-weight:bold;line-height:1.6;padding:1px 8px;border-radius:4px;margin-right:6px">${escapeHtml(text)}</span>`;
  const marks = block.status === 'resolved' ? badge(badges.resolved, resolvedColour) : `${badge(badges[block.severity], colour)}${block.status === 'late' ? badge(badges.late, '#5F6B7A') : ''}`;
  const rows = block.lines
    .map(([label, value, swatch]) => {
      const chip = swatch && value.startsWith(swatch.text) ? swatch : null;
      const shown = chip ? `<span style="display:inline-block;background:${chip.background};color:${chip.foreground};font-weight:bold;padding:2px 10px;border-radius:4px">${escapeHtml(chip.text)}</span>${escapeHtml(value.slice(chip.text.length))}` : escapeHtml(value);
      // Label beside its value: a card half as long as with the label above, still one column of cards.
      const cell = 'padding:6px 0;border-top:1px solid #EEEEEE;vertical-align:top';
      return `<tr><th scope="row" style="${cell};width:6.5em;padding-right:8px;text-align:left;font-weight:normal;font-size:13px;line-height:1.9;color:#666666">${escapeHtml(label)}</th><td style="${cell};word-break:break-word">${shown}</td></tr>`;
    })
    .join('');
  return [
    `<div style="margin:0 12px 16px;border:1px solid #DDDDDD;border-left:6px solid ${colour};border-radius:6px;padding:12px">`,
    `<div>${marks}</div>`,
    `<h3 style="font-size:17px;line-height:1.45;margin:8px 0;word-break:break-word">${escapeHtml(block.head)}</h3>`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse">${rows}</table>`,
    action(block.action, colour),
    `</div>`,
  ].join('\n');
}

function action(a: ItemAction | null, colour: string): string {
  if (!a) return '';
  // A tap target of at least 48 px high across the card (WCAG 2.5.5 asks for 44 px).
  const button = 'display:block;text-align:center;text-decoration:none;font-weight:bold;font-size:16px;line-height:20px;padding:14px 16px;border-radius:6px;margin-top:12px';
  if (a.kind === 'ack-command') return `<div style="margin-top:12px;font-size:13px;color:#666666">${escapeHtml(a.label)}</div><pre style="margin:4px 0 0;padding:10px;background:#F5F5F5;border-radius:4px;font-size:14px;white-space:pre-wrap;word-break:break-all">${escapeHtml(a.command)}</pre>`;
  // Acknowledging is the thing to do: a filled button; reading a recovered alert's history: an outlined one.
  const look = a.kind === 'ack-link' ? `background:${colour};color:#FFFFFF` : `background:#FFFFFF;color:${colour};border:2px solid ${colour}`;
  return `<a href="${escapeHtml(a.href)}" style="${button};${look}">${escapeHtml(a.label)}</a>`;
}
