// The application menu as data: quit, editing shortcuts, and reload/devtools only while developing.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuContext {
  platform: NodeJS.Platform;
  /** True when running from the repository (not packaged). */
  development: boolean;
}

export function applicationMenuTemplate({ platform, development }: MenuContext): MenuItemConstructorOptions[] {
  const appMenu: MenuItemConstructorOptions =
    platform === 'darwin' ? { role: 'appMenu' } : { label: 'File', submenu: [{ role: 'quit' }] };
  const view: MenuItemConstructorOptions[] = development
    ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }]
    : [];
  return [
    appMenu,
    // Without an Edit menu, copy and paste shortcuts do not work in text fields on macOS.
    { role: 'editMenu' },
    { label: 'View', submenu: [...view, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { role: 'windowMenu' },
  ];
}
