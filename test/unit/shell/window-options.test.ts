import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { browserWindowOptions, CONTENT_SECURITY_POLICY, WINDOW_BACKGROUND } from '../../../electron/shells/desktop/window-options.js';

describe('main window options', () => {
  const options = browserWindowOptions('/app/dist/electron/shells/desktop/preload.cjs');
  const web = options.webPreferences!;

  it('isolates the renderer: context isolation and sandbox on, Node integration off everywhere', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and allows no webviews, insecure content or experimental features', () => {
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.webviewTag).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
    expect(web.navigateOnDragDrop).toBe(false);
    expect(web).not.toHaveProperty('enableRemoteModule');
  });

  it('loads the given preload and turns spellcheck off', () => {
    expect(web.preload).toBe('/app/dist/electron/shells/desktop/preload.cjs');
    expect(web.spellcheck).toBe(false);
  });

  it('opens a titled 1280x860 window that cannot shrink below a usable dashboard, shown once painted', () => {
    expect(options).toMatchObject({ title: 'ScaleDeck', width: 1280, height: 860, show: false });
    expect(options.minWidth).toBeGreaterThanOrEqual(800);
    expect(options.minWidth).toBeLessThanOrEqual(1280);
    expect(options.minHeight).toBeLessThanOrEqual(860);
  });

  it('paints the window in the page colour of the system theme while the renderer loads', () => {
    expect(options.backgroundColor).toBe(WINDOW_BACKGROUND.dark);
    expect(browserWindowOptions('/p', false).backgroundColor).toBe(WINDOW_BACKGROUND.light);
    const styles = readFileSync(new URL('../../../renderer/styles.css', import.meta.url), 'utf8');
    expect(styles).toContain(`--bg: ${WINDOW_BACKGROUND.dark}`);
    expect(styles).toContain(`--bg: ${WINDOW_BACKGROUND.light}`);
  });
});

describe('content security policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name!, values] as const;
    }),
  );

  it('denies everything by default and runs only the app’s own scripts, never eval or inline code', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(directives.get('script-src')).not.toContain("'unsafe-inline'");
  });

  it('gives the page no network, plugins, base URL, form targets or framing', () => {
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  });
});
