// Who the Electron shell trusts: which frame may call commands, which links may open outside, which permissions a page gets.
import { pathToFileURL } from 'node:url';

/** The file: URL of the renderer's index.html, as the renderer's frames report it. */
export function rendererIndexUrl(rendererIndexPath: string): string {
  return pathToFileURL(rendererIndexPath).href;
}

/**
 * An IPC call is trusted only when it comes from our own renderer document: same file, whatever its hash or query
 * (the renderer may keep view state there). Anything else, such as a page reached by a bug, is refused.
 */
export function isTrustedSender(frameUrl: string | null | undefined, rendererIndexUrl: string): boolean {
  if (!frameUrl) return false;
  const frame = parseUrl(frameUrl);
  const renderer = parseUrl(rendererIndexUrl);
  if (!frame || !renderer || frame.protocol !== 'file:' || renderer.protocol !== 'file:') return false;
  return frame.host === renderer.host && frame.pathname === renderer.pathname;
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
