// What jsdom lacks for the dashboard's components: a ResizeObserver (recharts sizes charts with it), cleanup, and
// the keyboard behaviour of range inputs.
import { cleanup, fireEvent } from '@testing-library/react';
import { afterEach } from 'vitest';

/** Charts in tests get a fixed size, as if laid out in a 1280x800 window. */
export const CHART_SIZE = { width: 640, height: 240 };

class FixedSizeResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}

  observe(target: Element): void {
    const contentRect = { ...CHART_SIZE, x: 0, y: 0, top: 0, left: 0, right: CHART_SIZE.width, bottom: CHART_SIZE.height, toJSON: () => ({}) };
    this.callback([{ target, contentRect } as unknown as ResizeObserverEntry], this as unknown as ResizeObserver);
  }

  unobserve(): void {}

  disconnect(): void {}
}

globalThis.ResizeObserver ??= FixedSizeResizeObserver as unknown as typeof ResizeObserver;

// Without vitest globals, Testing Library cannot register its own cleanup.
afterEach(() => cleanup());

/**
 * Presses an arrow key on a range input the way a browser does (jsdom moves no slider): key down, one step,
 * then the `input` and `change` events React listens to.
 */
export function pressArrow(slider: HTMLElement, key: 'ArrowRight' | 'ArrowLeft' | 'ArrowUp' | 'ArrowDown'): void {
  const input = slider as HTMLInputElement;
  input.focus();
  fireEvent.keyDown(input, { key });
  if (key === 'ArrowRight' || key === 'ArrowUp') input.stepUp();
  else input.stepDown();
  fireEvent.input(input);
  fireEvent.change(input);
  fireEvent.keyUp(input, { key });
}
