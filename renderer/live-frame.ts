// One animation frame for every live chart: a published sample wakes one requestAnimationFrame that redraws them all.

/** The performance measure around each frame's drawing; test/bench/figures/dashboard.ts finds the updates by it. */
export const LIVE_FRAME_MEASURE = 'scaledeck:live-frame';
/** The measure around the clock's frames (uptimes, time left), told apart from the charts' live updates. */
export const CLOCK_FRAME_MEASURE = 'scaledeck:clock-frame';

export type Draw = () => void;

export class LiveFrame {
  private readonly draws = new Set<Draw>();
  private pending = false;

  /** `schedule` runs a callback before the next paint; browsers skip it while the page is hidden. */
  constructor(
    private readonly schedule: (callback: () => void) => void = (callback) => requestAnimationFrame(callback),
    private readonly measure = LIVE_FRAME_MEASURE,
  ) {}

  /** Draws with every frame from now on, starting with the next one; answers the function that stops it. */
  add(draw: Draw): () => void {
    this.draws.add(draw);
    this.request();
    return () => {
      this.draws.delete(draw);
    };
  }

  /** Asks for a frame; any number of requests before it runs make one frame. */
  request = (): void => {
    if (this.pending) return;
    this.pending = true;
    this.schedule(this.run);
  };

  private readonly run = (): void => {
    this.pending = false;
    const started = performance.now();
    for (const draw of this.draws) draw();
    performance.measure(this.measure, { start: started, end: performance.now() });
    // Observers have seen the measure; keeping it in the page's timeline would grow it all day.
    performance.clearMeasures(this.measure);
  };
}
