// A d3-shape drawing context that writes an SVG path's `d` as whole tenths of a pixel, in one flat string per path:
// d3-path builds the same text from several short-lived strings per point, which at an hour of points means
// megabytes of garbage per frame, while whole numbers turn into text from V8's cache.

/** Path coordinates are in tenths of a pixel: the paths sit in a group scaled by 1 / PATH_SCALE. */
export const PATH_SCALE = 10;

export class PathWriter {
  private parts: (string | number)[] = [];
  private count = 0;

  moveTo(x: number, y: number): void {
    this.write('M', x, y);
  }

  lineTo(x: number, y: number): void {
    this.write('L', x, y);
  }

  closePath(): void {
    this.parts[this.count++] = 'Z';
  }

  /** The path written since the last call; the next one starts empty. */
  take(): string {
    this.parts.length = this.count;
    this.count = 0;
    return this.parts.join('');
  }

  private write(command: string, x: number, y: number): void {
    const parts = this.parts;
    parts[this.count++] = command;
    parts[this.count++] = Math.round(x * PATH_SCALE);
    parts[this.count++] = ',';
    parts[this.count++] = Math.round(y * PATH_SCALE);
  }
}

/** A dash pattern in screen pixels ("6 3"), for a path drawn in tenths of a pixel. */
export const scaledDash = (dash: string | undefined): string | undefined => dash?.split(' ').map((length) => Number(length) * PATH_SCALE).join(' ');
