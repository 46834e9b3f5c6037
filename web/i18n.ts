/** The console's words in Chinese (first) and English. A key missing in English falls back to Chinese. */
import { alertsOperationsEn, alertsOperationsZh } from './i18n-alerts-operations.ts';

export type Lang = 'zh' | 'en';

const zh = {
  'app.title': 'envmon 环境质量监控',
  'nav.overview': '总览',
  'nav.sites': '站点',
  'nav.alerts': '告警',
  'nav.targets': '目标',
  'nav.reports': '报告',
  'nav.operations': '运维',
  'nav.login': '登录',
  'nav.logout': '退出',
  'lang.switch': 'English',
  'demo.label': '模拟数据',
  ...alertsOperationsZh,
} as const;

export type MessageKey = keyof typeof zh;

const en: Partial<Record<MessageKey, string>> = {
  'app.title': 'envmon environmental quality',
  'nav.overview': 'Overview',
  'nav.sites': 'Sites',
  'nav.alerts': 'Alerts',
  'nav.targets': 'Targets',
  'nav.reports': 'Reports',
  'nav.operations': 'Operations',
  'nav.login': 'Sign in',
  'nav.logout': 'Sign out',
  'lang.switch': '中文',
  'demo.label': 'demo data',
  ...alertsOperationsEn,
};

export function t(lang: Lang, key: MessageKey): string {
  return (lang === 'en' ? en[key] : undefined) ?? zh[key];
}
