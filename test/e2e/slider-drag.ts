// Dragging a range input with the mouse in an end-to-end test: where its thumb sits for a value.
import type { Locator, Page } from 'playwright-core';

/** Where the thumb of a range input sits for `value`: the track runs between half a thumb's width from each end. */
export function thumbX(box: { x: number; width: number }, value: number, min: number, max: number): number {
  const halfThumb = 8;
  return box.x + halfThumb + ((value - min) / (max - min)) * (box.width - 2 * halfThumb);
}

/** Takes the slider's thumb at `from` and moves it to `to` in `steps` pointer moves, leaving the button down. */
export async function dragAndHold(page: Page, slider: Locator, from: number, to: number, steps = 12): Promise<void> {
  const [min, max] = [Number(await slider.getAttribute('min')), Number(await slider.getAttribute('max'))];
  const box = (await slider.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(thumbX(box, from, min, max), y);
  await page.mouse.down();
  await page.mouse.move(thumbX(box, to, min, max), y, { steps });
}
