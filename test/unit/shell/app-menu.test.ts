import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { applicationMenuTemplate, OPEN_COMPOSE_LABEL } from '../../../electron/shells/desktop/app-menu.js';

const noop = () => undefined;

function labelled(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions | undefined {
  for (const item of items) {
    if (item.label === label) return item;
    const inner = Array.isArray(item.submenu) ? labelled(item.submenu, label) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ]);
}

describe('application menu', () => {
  it('offers Quit and editing shortcuts on every platform', () => {
    for (const platform of ['linux', 'win32'] as const) {
      const menu = roles(applicationMenuTemplate({ platform, development: false, onOpenCompose: noop }));
      expect(menu).toContain('quit');
      expect(menu).toContain('editMenu');
    }
    expect(roles(applicationMenuTemplate({ platform: 'darwin', development: false, onOpenCompose: noop }))).toContain('appMenu');
  });

  it('offers reload and developer tools only while developing', () => {
    const packaged = roles(applicationMenuTemplate({ platform: 'linux', development: false, onOpenCompose: noop }));
    const development = roles(applicationMenuTemplate({ platform: 'linux', development: true, onOpenCompose: noop }));
    expect(packaged).not.toContain('reload');
    expect(packaged).not.toContain('toggleDevTools');
    expect(development).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  it('offers "Open Compose file…" in the File menu on every platform, which asks the main process to open one', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const onOpenCompose = vi.fn();
      const menu = applicationMenuTemplate({ platform, development: false, onOpenCompose });
      const file = menu.find((item) => item.label === 'File');
      const item = labelled(Array.isArray(file?.submenu) ? file.submenu : [], OPEN_COMPOSE_LABEL);
      expect(item?.accelerator, platform).toBe('CmdOrCtrl+O');
      (item!.click as () => void)();
      expect(onOpenCompose).toHaveBeenCalledTimes(1);
    }
  });
});
