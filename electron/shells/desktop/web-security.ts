// Who the Electron shell trusts: which frame may call commands, which links may open outside, which permissions a
// page gets, and which files the renderer's own app:// origin may serve.
import path from 'node:path';

/** The renderer is served from its own origin, not file:, so 'self' in its policy means its files and nothing else. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'scaledeck';
export const RENDERER_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * An IPC call is trusted only when it comes from our own renderer document: the app origin's index.html, whatever
 * its hash or query (the renderer may keep view state there). Anything else, such as a page reached by a bug, is refused.
 */
export function isTrustedSender(frameUrl: string | null | undefined): boolean {
  if (!frameUrl) return false;
  const frame = parseUrl(frameUrl);
  return frame !== null && frame.protocol === `${APP_SCHEME}:` && frame.host === APP_HOST && frame.pathname === '/index.html' && !frame.username && !frame.password;
}

/** The file under `rendererDir` that an app:// request names, or null for another host or a path that leaves it. */
export function rendererFileFor(requestUrl: string, rendererDir: string): string | null {
  const url = parseUrl(requestUrl);
  if (!url || url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let relative: string;
  try {
    relative = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, `.${relative === '/' ? '/index.html' : relative}`);
  return file.startsWith(`${root}${path.sep}`) ? file : null;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A link may leave the app only towards the load balancer's own pages (the frontend and the stats page), on this
 * machine: those are the only outside URLs the UI shows, and the system browser is where they belong.
 */
export function isAllowedExternalUrl(url: string, allowedUrls: readonly string[]): boolean {
  const target = parseUrl(url);
  if (!target || (target.protocol !== 'http:' && target.protocol !== 'https:')) return false;
  if (!LOOPBACK_HOSTS.has(target.hostname) || target.username || target.password) return false;
  return allowedUrls.some((allowed) => parseUrl(allowed)?.href === target.href);
}

/** Copying text (e.g. the frontend URL) is the only browser permission the dashboard uses. */
export function isPermissionAllowed(permission: string): boolean {
  return permission === 'clipboard-sanitized-write';
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
