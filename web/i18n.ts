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
  'login.title': '登录',
  'login.name': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.failed': '用户名或密码不正确。',
  'login.tooMany': '登录失败次数过多，请 15 分钟后再试。',
  'password.title': '修改密码',
  'password.mustChange': '这是一次性密码，请先设置您自己的密码。',
  'password.current': '当前密码',
  'password.new': '新密码',
  'password.confirm': '再次输入新密码',
  'password.submit': '保存新密码',
  'password.rules': '至少 10 个字符，不含用户名。',
  'password.wrongCurrent': '当前密码不正确。',
  'password.mismatch': '两次输入的新密码不一致。',
  'password.same': '新密码不能与当前密码相同。',
  'password.weak': '新密码不符合要求：至少 10 个字符，不含用户名。',
  'error.forbidden': '无权访问',
  'error.forbidden.role': '此操作需要运维人员（operator）权限。',
  'error.forbidden.csrf': '请求缺少有效的安全令牌（CSRF），已拒绝。请刷新页面后重试。',
  'error.notFound': '页面不存在',
  'error.internal': '服务器内部错误',
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
  'login.title': 'Sign in',
  'login.name': 'User name',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.failed': 'Wrong user name or password.',
  'login.tooMany': 'Too many failed sign-ins; try again in 15 minutes.',
  'password.title': 'Change password',
  'password.mustChange': 'This is a one-time password: choose your own password first.',
  'password.current': 'Current password',
  'password.new': 'New password',
  'password.confirm': 'New password again',
  'password.submit': 'Save the new password',
  'password.rules': 'At least 10 characters, not containing the user name.',
  'password.wrongCurrent': 'The current password is wrong.',
  'password.mismatch': 'The two new passwords differ.',
  'password.same': 'The new password must differ from the current one.',
  'password.weak': 'The new password does not qualify: at least 10 characters, not containing the user name.',
  'error.forbidden': 'Forbidden',
  'error.forbidden.role': 'This needs an operator.',
  'error.forbidden.csrf': 'The request carries no valid security token (CSRF) and was refused. Reload the page and try again.',
  'error.notFound': 'Not found',
  'error.internal': 'Internal error',
  ...alertsOperationsEn,
};

export function t(lang: Lang, key: MessageKey): string {
  return (lang === 'en' ? en[key] : undefined) ?? zh[key];
}
