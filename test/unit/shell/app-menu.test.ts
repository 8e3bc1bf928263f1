import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { applicationMenuTemplate } from '../../../electron/shells/desktop/app-menu.js';

function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ]);
}

describe('application menu', () => {
  it('offers Quit and editing shortcuts on every platform', () => {
    for (const platform of ['linux', 'win32'] as const) {
      const menu = roles(applicationMenuTemplate({ platform, development: false }));
      expect(menu).toContain('quit');
      expect(menu).toContain('editMenu');
    }
    expect(roles(applicationMenuTemplate({ platform: 'darwin', development: false }))).toContain('appMenu');
  });

  it('offers reload and developer tools only while developing', () => {
    const packaged = roles(applicationMenuTemplate({ platform: 'linux', development: false }));
    const development = roles(applicationMenuTemplate({ platform: 'linux', development: true }));
    expect(packaged).not.toContain('reload');
    expect(packaged).not.toContain('toggleDevTools');
    expect(development).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });
});
