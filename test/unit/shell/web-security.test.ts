import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl, isPermissionAllowed, isTrustedSender, rendererIndexUrl } from '../../../electron/web-security.js';

const RENDERER = rendererIndexUrl('/opt/ScaleDeck/resources/app.asar/dist/renderer/index.html');

describe('isTrustedSender', () => {
  it('trusts our renderer document, with or without a hash or query', () => {
    expect(RENDERER).toBe('file:///opt/ScaleDeck/resources/app.asar/dist/renderer/index.html');
    expect(isTrustedSender(RENDERER, RENDERER)).toBe(true);
    expect(isTrustedSender(`${RENDERER}#/events`, RENDERER)).toBe(true);
    expect(isTrustedSender(`${RENDERER}?view=replicas`, RENDERER)).toBe(true);
  });

  it('refuses a missing frame, other files, and any web origin', () => {
    expect(isTrustedSender(null, RENDERER)).toBe(false);
    expect(isTrustedSender(undefined, RENDERER)).toBe(false);
    expect(isTrustedSender('', RENDERER)).toBe(false);
    expect(isTrustedSender('file:///tmp/evil/index.html', RENDERER)).toBe(false);
    expect(isTrustedSender('file:///opt/ScaleDeck/resources/app.asar/dist/renderer/other.html', RENDERER)).toBe(false);
    expect(isTrustedSender('http://127.0.0.1:8080/', RENDERER)).toBe(false);
    expect(isTrustedSender('https://example.com/opt/ScaleDeck/resources/app.asar/dist/renderer/index.html', RENDERER)).toBe(false);
    expect(isTrustedSender('about:blank', RENDERER)).toBe(false);
    expect(isTrustedSender('not a url', RENDERER)).toBe(false);
  });

  it('does not let path tricks pass for the renderer', () => {
    expect(isTrustedSender('file:///opt/ScaleDeck/resources/app.asar/dist/renderer/../renderer/index.html', RENDERER)).toBe(true);
    expect(isTrustedSender('file:///opt/ScaleDeck/resources/app.asar/dist/renderer/index.html/../../x.html', RENDERER)).toBe(false);
    expect(isTrustedSender('file://remote-host/opt/ScaleDeck/resources/app.asar/dist/renderer/index.html', RENDERER)).toBe(false);
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
