// The main window's options and the renderer's Content-Security-Policy: pure values, so the security settings are testable.
import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The renderer loads only its own files (its app:// origin is 'self') and talks to the control plane over IPC, so it
 * reaches no network origin. Inline styles stay allowed because recharts positions chart elements with style attributes.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The renderer's page colours (renderer/styles.css --bg), so the window does not flash another colour while loading. */
export const WINDOW_BACKGROUND = { dark: '#0e1217', light: '#f3f5f8' } as const;

export function browserWindowOptions(preloadPath: string, prefersDark = true): BrowserWindowConstructorOptions {
  return {
    title: 'ScaleDeck',
    width: 1280,
    height: 860,
    minWidth: 960,
    minHeight: 640,
    backgroundColor: prefersDark ? WINDOW_BACKGROUND.dark : WINDOW_BACKGROUND.light,
    // Shown on 'ready-to-show', so the window never flashes empty.
    show: false,
    autoHideMenuBar: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      experimentalFeatures: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}
