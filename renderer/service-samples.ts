// Routes the stream's samples to the service they measure: to the selected service's charts, and into a short ring
// per service that the overview draws its replica lines from.
import type { Sample, Snapshot } from '../electron/contract/contract.js';
import { HistoryBuffer } from './history-buffer.js';
import { LiveFrame } from './live-frame.js';

/** How far back the overview's replica line reaches. */
export const TREND_WINDOW_MS = 5 * 60_000;
/** Room for the trend window at the fastest sampling the settings allow, with some to spare. */
const TREND_CAPACITY = 600;
/** The measure around the overview's frames, told apart from the charts' live updates. */
export const OVERVIEW_FRAME_MEASURE = 'scaledeck:overview-frame';

export class ServiceSamples {
  /** The overview's lines are drawn in a frame of their own, requested at most once per publish. */
  readonly frame: LiveFrame;
  /** Samples without a service are the first service's (the contract says so). */
  private first: string | undefined;
  private readonly trends = new Map<string, HistoryBuffer>();
  private readonly followers = new Map<string, Set<(sample: Sample) => void>>();
  private dirty = false;

  constructor(schedule?: (callback: () => void) => void) {
    this.frame = new LiveFrame(schedule, OVERVIEW_FRAME_MEASURE);
  }

  /** Takes the services and their latest samples from a snapshot; forgets the trends of services gone from it. */
  addSnapshot(snapshot: Snapshot): void {
    this.first = snapshot.services[0]?.name;
    const names = new Set(snapshot.services.map((view) => view.name));
    for (const name of this.trends.keys()) if (!names.has(name)) this.trends.delete(name);
    for (const view of snapshot.services) if (view.sample) this.add(view.sample, view.name);
  }

  /**
   * Puts a service's recorded samples under the ones streamed since, so its line covers the whole trend window from
   * the first frame and not only the time since the page opened.
   */
  load(service: string, history: readonly Sample[]): void {
    const held = this.trends.get(service);
    const merged = [...history, ...(held ? Array.from({ length: held.size }, (_, i) => held.at(i)) : [])].sort((a, b) => a.at - b.at);
    const trend = new HistoryBuffer(TREND_CAPACITY);
    for (const sample of merged) trend.push(sample);
    this.trends.set(service, trend);
    this.dirty = true;
  }

  add(sample: Sample, service = sample.service ?? this.first): void {
    if (service === undefined) return;
    let trend = this.trends.get(service);
    if (!trend) this.trends.set(service, (trend = new HistoryBuffer(TREND_CAPACITY)));
    if (trend.push(sample)) this.dirty = true;
    for (const follower of this.followers.get(service) ?? []) follower(sample);
  }

  /** Calls `listener` with every sample of `service` from now on; returns the function that stops it. */
  follow(service: string, listener: (sample: Sample) => void): () => void {
    let set = this.followers.get(service);
    if (!set) this.followers.set(service, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.followers.get(service) === set) this.followers.delete(service);
    };
  }

  /** The recent samples of `service`, oldest first, read in place; undefined before its first. */
  trend(service: string): HistoryBuffer | undefined {
    return this.trends.get(service);
  }

  /**
   * Redraws the overview's lines if samples came in since the last call. Called on the charts' own beat (HistoryFeed's
   * timer), so the overview and the charts are drawn in one frame: one style, layout and paint a second, not two.
   */
  publish = (): void => {
    if (!this.dirty) return;
    this.dirty = false;
    this.frame.request();
  };
}
