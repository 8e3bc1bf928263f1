// How closely the what-if ghost follows a dragged slider in the dashboard: from each input event to the summary
// naming that value (or a later one: values dragged past while a replay runs are skipped by design).
import type { Page } from 'playwright-core';

const SLIDER = 'Scale up above';

interface Timed {
  at: number;
  value: number;
}

/**
 * Runs in the page (as text: the bench is type-checked without the DOM): records each input's value and each
 * summary's replayed threshold, with their times.
 */
const RECORDER = `(label) => {
  const slider = [...document.querySelectorAll('input[type="range"]')].find((input) => input.labels?.[0]?.textContent === label);
  if (!slider) throw new Error('no slider labelled ' + label);
  const record = { inputs: [], shown: [] };
  window.ghostFollow = record;
  slider.addEventListener('input', () => record.inputs.push({ at: performance.now(), value: Number(slider.value) }));
  new MutationObserver(() => {
    const text = document.querySelector('[data-testid="whatif-summary"]')?.textContent ?? '';
    const value = /above (\\d+)/.exec(text)?.[1];
    if (value !== undefined) record.shown.push({ at: performance.now(), value: Number(value) });
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}`;

/** Drags the scale-up slider over `steps` pointer moves a frame apart; answers each input's wait in ms. */
export async function ghostFollowMs(page: Page, steps = 30): Promise<number[]> {
  await page.evaluate(`(${RECORDER})(${JSON.stringify(SLIDER)})`);
  const box = (await page.getByRole('slider', { name: SLIDER }).boundingBox())!;
  const y = box.y + box.height / 2;
  const startX = box.x + box.width * 0.6;
  await page.mouse.move(startX, y);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(startX - i * 4, y);
    await page.waitForTimeout(16);
  }
  await page.waitForTimeout(1000);
  await page.mouse.up();
  const { inputs, shown } = (await page.evaluate('window.ghostFollow')) as { inputs: Timed[]; shown: Timed[] };
  return inputs.flatMap((input, i) => {
    const later = new Set(inputs.slice(i).map((next) => next.value));
    const caught = shown.find((entry) => entry.at >= input.at && later.has(entry.value));
    return caught ? [caught.at - input.at] : [];
  });
}
