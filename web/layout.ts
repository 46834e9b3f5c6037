/**
 * The page shell every console page renders into: navigation, language switch, the signed-in user, and the CSRF
 * token for scripts (`<meta name="csrf-token">`). Everything it loads is served by envmon itself (no CDN).
 */
import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from './html.ts';
import { t, type MessageKey } from './i18n.ts';

export type NavItem = 'overview' | 'sites' | 'alerts' | 'targets' | 'reports' | 'operations';

export interface PageOptions {
  readonly title: string;
  readonly active?: NavItem;
  readonly body: SafeHtml;
  /** Extra scripts under /assets/, e.g. ['echarts.min.js', 'site-chart.js']. */
  readonly scripts?: readonly string[];
}

const NAV: readonly { item: NavItem; href: string; operatorOnly?: boolean }[] = [
  { item: 'overview', href: '/' },
  { item: 'sites', href: '/sites' },
  { item: 'alerts', href: '/alerts' },
  { item: 'targets', href: '/targets' },
  { item: 'reports', href: '/reports' },
  { item: 'operations', href: '/operations', operatorOnly: true },
];

export function renderPage(request: FastifyRequest, options: PageOptions): string {
  const lang = request.lang;
  const user = request.consoleUser;
  const otherLang = lang === 'zh' ? 'en' : 'zh';
  const nav = NAV.filter((n) => !n.operatorOnly || user?.role === 'operator').map(
    (n) => html`<a href="${n.href}"${n.item === options.active ? html` class="active" aria-current="page"` : ''}>${t(lang, `nav.${n.item}` as MessageKey)}</a>`,
  );
  const page = html`<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${request.csrfToken ? html`<meta name="csrf-token" content="${request.csrfToken}">` : ''}
<title>${options.title} · envmon</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/console.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/">${t(lang, 'app.title')}</a>
  <nav>${nav}</nav>
  <span class="session">
    <a href="?lang=${otherLang}" hreflang="${otherLang}">${t(lang, 'lang.switch')}</a>
    ${user
      ? html`<span class="user">${user.name} (${user.role})</span>
    <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}"><button type="submit">${t(lang, 'nav.logout')}</button></form>`
      : html`<a href="/login">${t(lang, 'nav.login')}</a>`}
  </span>
</header>
<main>
<h1>${options.title}</h1>
${options.body}
</main>
${(options.scripts ?? []).map((s) => html`<script src="/assets/${s}"></script>`)}
</body>
</html>`;
  return page.value;
}
