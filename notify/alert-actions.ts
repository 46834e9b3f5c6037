/**
 * What a message offers to do about an alert: a link to its console page (`notifications.linkBase`), where it is
 * acknowledged, or without linkBase the `envmon alerts ack` command. An alert that is over is linked for reading only.
 */
import type { ItemAction } from './alert-mail-html.ts';

/**
 * A link to an alert's console page under `linkBase`, which may end with a slash or carry a path prefix
 * (https://host/envmon → https://host/envmon/alerts/42).
 */
export function alertLink(linkBase: string, alertId: number): string {
  const base = new URL(linkBase);
  // Resolved against a base whose path ends with '/', a relative path keeps the prefix instead of replacing its last segment.
  base.pathname = base.pathname.replace(/\/*$/, '/');
  base.search = '';
  base.hash = '';
  return new URL(`alerts/${alertId}`, base).toString();
}

/**
 * The action of an alert: acknowledge it (in the console when linkBase is set, else by the command), or, when it is
 * `over`, read its history in the console — nothing without linkBase.
 */
export function alertAction(alertId: number | null, over: boolean, language: 'zh-CN' | 'en', linkBase: string | undefined): ItemAction | null {
  if (alertId === null) return null;
  const zh = language === 'zh-CN';
  if (linkBase) {
    const href = alertLink(linkBase, alertId);
    return over ? { kind: 'history-link', label: zh ? '查看告警记录' : 'View the alert', href } : { kind: 'ack-link', label: zh ? '在控制台查看并确认' : 'Open and acknowledge in the console', href };
  }
  if (over) return null;
  return { kind: 'ack-command', label: zh ? '确认命令' : 'Acknowledge with', command: `envmon alerts ack ${alertId} --by ${zh ? '姓名' : 'NAME'} --note ${zh ? '处理说明' : 'TEXT'}` };
}

/** The console link of an alert for a webhook's structured payload; null without linkBase. */
export function alertLinkOrNull(alertId: number | null, linkBase: string | undefined): string | null {
  return linkBase && alertId !== null ? alertLink(linkBase, alertId) : null;
}
