// The application menu as data: open a Compose file, quit, editing shortcuts, and reload/devtools only while developing.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuContext {
  platform: NodeJS.Platform;
  /** True when running from the repository (not packaged). */
  development: boolean;
  /** "Open Compose file…": the main process asks for the file and hands it to the window. */
  onOpenCompose: () => void;
}

export const OPEN_COMPOSE_LABEL = 'Open Compose file…';

export function applicationMenuTemplate({ platform, development, onOpenCompose }: MenuContext): MenuItemConstructorOptions[] {
  const openCompose: MenuItemConstructorOptions = { label: OPEN_COMPOSE_LABEL, accelerator: 'CmdOrCtrl+O', click: () => onOpenCompose() };
  // macOS keeps Quit in the app menu; elsewhere it ends the File menu.
  const appMenu: MenuItemConstructorOptions[] =
    platform === 'darwin'
      ? [{ role: 'appMenu' }, { label: 'File', submenu: [openCompose] }]
      : [{ label: 'File', submenu: [openCompose, { type: 'separator' }, { role: 'quit' }] }];
  const view: MenuItemConstructorOptions[] = development
    ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }]
    : [];
  return [
    ...appMenu,
    // Without an Edit menu, copy and paste shortcuts do not work in text fields on macOS.
    { role: 'editMenu' },
    { label: 'View', submenu: [...view, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { role: 'windowMenu' },
  ];
}
