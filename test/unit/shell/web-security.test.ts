import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl, isPermissionAllowed, isTrustedSender, rendererFileFor, RENDERER_URL } from '../../../electron/shells/desktop/web-security.js';

describe('isTrustedSender', () => {
  it('trusts our renderer document on the app origin, with or without a hash or query', () => {
    expect(RENDERER_URL).toBe('app://scaledeck/index.html');
    expect(isTrustedSender(RENDERER_URL)).toBe(true);
    expect(isTrustedSender(`${RENDERER_URL}#/events`)).toBe(true);
    expect(isTrustedSender(`${RENDERER_URL}?view=replicas`)).toBe(true);
  });

  it('refuses a missing frame, other documents, file: pages and any web origin', () => {
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
    expect(isTrustedSender('')).toBe(false);
    expect(isTrustedSender('app://scaledeck/other.html')).toBe(false);
    expect(isTrustedSender('app://evil/index.html')).toBe(false);
    expect(isTrustedSender('file:///opt/ScaleDeck/resources/app.asar/dist/renderer/index.html')).toBe(false);
    expect(isTrustedSender('http://127.0.0.1:8080/index.html')).toBe(false);
    expect(isTrustedSender('https://scaledeck/index.html')).toBe(false);
    expect(isTrustedSender('about:blank')).toBe(false);
    expect(isTrustedSender('not a url')).toBe(false);
  });

  it('does not let path tricks pass for the renderer', () => {
    expect(isTrustedSender('app://scaledeck/assets/../index.html')).toBe(true);
    expect(isTrustedSender('app://scaledeck/index.html/../x.html')).toBe(false);
    expect(isTrustedSender('app://user:pw@scaledeck/index.html')).toBe(false);
  });
});

describe('rendererFileFor', () => {
  const dir = '/opt/ScaleDeck/resources/app.asar/dist/renderer';

  it('serves the renderer\'s own files, index.html for the root', () => {
    expect(rendererFileFor('app://scaledeck/index.html', dir)).toBe(`${dir}/index.html`);
    expect(rendererFileFor('app://scaledeck/', dir)).toBe(`${dir}/index.html`);
    expect(rendererFileFor('app://scaledeck/assets/index-abc.js?v=1', dir)).toBe(`${dir}/assets/index-abc.js`);
  });

  it('refuses other hosts and paths that leave the renderer folder, encoded or not', () => {
    expect(rendererFileFor('app://other/index.html', dir)).toBeNull();
    expect(rendererFileFor('file:///etc/passwd', dir)).toBeNull();
    // The URL parser folds %2e%2e into .. and resolves it at the root: it stays inside the folder.
    expect(rendererFileFor('app://scaledeck/%2e%2e/%2e%2e/main.js', dir)).toBe(`${dir}/main.js`);
    expect(rendererFileFor('app://scaledeck/..%2f..%2fmain.js', dir)).toBeNull();
    expect(rendererFileFor('app://scaledeck/%E0%A4%A', dir)).toBeNull();
  });
});

describe('isAllowedExternalUrl', () => {
  const allowed = ['http://127.0.0.1:8080/', 'http://127.0.0.1:8404/stats'];

  it('opens the load balancer frontend and stats page', () => {
    expect(isAllowedExternalUrl('http://127.0.0.1:8080/', allowed)).toBe(true);
    expect(isAllowedExternalUrl('http://127.0.0.1:8080', allowed)).toBe(true);
    expect(isAllowedExternalUrl('http://127.0.0.1:8404/stats', allowed)).toBe(true);
  });

  it('refuses other ports, paths, hosts and schemes', () => {
    expect(isAllowedExternalUrl('http://127.0.0.1:9999/', allowed)).toBe(false);
    expect(isAllowedExternalUrl('http://127.0.0.1:8080/admin', allowed)).toBe(false);
    expect(isAllowedExternalUrl('http://example.com:8080/', [...allowed, 'http://example.com:8080/'])).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd', [...allowed, 'file:///etc/passwd'])).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)', allowed)).toBe(false);
    expect(isAllowedExternalUrl('http://user:pw@127.0.0.1:8080/', [...allowed, 'http://user:pw@127.0.0.1:8080/'])).toBe(false);
    expect(isAllowedExternalUrl('garbage', allowed)).toBe(false);
  });

  it('accepts localhost and the IPv6 loopback when those are the configured URLs', () => {
    expect(isAllowedExternalUrl('http://localhost:8080/', ['http://localhost:8080/'])).toBe(true);
    expect(isAllowedExternalUrl('http://[::1]:8080/', ['http://[::1]:8080/'])).toBe(true);
    expect(isAllowedExternalUrl('http://localhost:8080/', ['http://127.0.0.1:8080/'])).toBe(false);
  });
});

describe('isPermissionAllowed', () => {
  it('grants clipboard writes only', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write')).toBe(true);
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'local-network-access', 'unknown']) {
      expect(isPermissionAllowed(permission)).toBe(false);
    }
  });
});
