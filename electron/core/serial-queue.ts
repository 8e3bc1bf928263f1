// Runs async work one piece at a time, in the order it was asked for, so two changes never interleave.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    // A failed piece answers its own caller; the next one still runs.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
