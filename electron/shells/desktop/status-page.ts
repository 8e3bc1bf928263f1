// The window's page while ScaleDeck starts or stops: static HTML in a data: URL, no script, its own strict policy.
import { WINDOW_BACKGROUND } from './window-options.js';

/** Nothing but inline styles may load: the page is text, so it needs no script, image, font or connection. */
export const STATUS_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);

export function statusPageHtml(title: string, detail: string, prefersDark = true): string {
  const background = prefersDark ? WINDOW_BACKGROUND.dark : WINDOW_BACKGROUND.light;
  const text = prefersDark ? '#e6e9ee' : '#1c2430';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${STATUS_PAGE_POLICY}">
<title>ScaleDeck</title>
<style>body{margin:0;height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;
background:${background};color:${text};font:15px system-ui,sans-serif}h1{font-size:20px;font-weight:600;margin:0 0 8px}
p{margin:0;opacity:.75;max-width:70ch;text-align:center}</style></head>
<body><main role="status" aria-live="polite"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p></main></body></html>`;
}

export function statusPageUrl(title: string, detail: string, prefersDark = true): string {
  return `data:text/html;charset=utf-8,${encodeURIComponent(statusPageHtml(title, detail, prefersDark))}`;
}
