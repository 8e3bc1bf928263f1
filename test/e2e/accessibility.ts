// axe-core in the page under test, for end-to-end tests: the usual rule set, violations as readable lines.
import path from 'node:path';
import type { Page } from 'playwright-core';

const AXE_SCRIPT = path.resolve('node_modules/axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: Array<{ target: string[] }>;
}

/**
 * Runs axe-core's usual rule set on the page as it is. The page's CSP allows only its own origin's scripts, so axe
 * is served from that origin by the test rather than inlined.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.route('**/axe-core/axe.min.js', (route) => route.fulfill({ path: AXE_SCRIPT, contentType: 'text/javascript; charset=utf-8' }));
  await page.addScriptTag({ url: new URL('/axe-core/axe.min.js', page.url()).href });
  const violations = await page.evaluate(async () => ((await (window as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe.run()).violations) as AxeViolation[]);
  return violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}
