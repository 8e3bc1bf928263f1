// Moving through the dashboard with the keyboard in an end-to-end test: Tab until a control is reached, as a person would.
import type { Page } from 'playwright-core';

/** The focused element's name as a screen reader would start it (its aria-label, else its text), or null on the page. */
export function focusedName(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return null;
    const label = element.id ? document.querySelector(`label[for="${CSS.escape(element.id)}"]`)?.textContent : undefined;
    return element.getAttribute('aria-label') ?? label ?? element.textContent?.trim() ?? '';
  });
}

/**
 * Presses Tab (Shift+Tab with `backwards`) until the focused control is named `name`, and fails naming what was
 * passed on the way when it is not reached within `limit` presses.
 */
export async function tabTo(page: Page, name: string, options: { backwards?: boolean; limit?: number } = {}): Promise<void> {
  const passed: string[] = [];
  for (let presses = 0; (await focusedName(page)) !== name; presses++) {
    if (presses === (options.limit ?? 80)) throw new Error(`Tab did not reach "${name}" in ${presses} presses; it passed ${passed.join(' | ')}`);
    await page.keyboard.press(options.backwards ? 'Shift+Tab' : 'Tab');
    passed.push((await focusedName(page)) ?? '(page)');
  }
}
