// One sample-image build at a time, with its progress log kept for the UI (the setup panel shows it live).
import type Dockerode from 'dockerode';
import { buildApiImage, type BuiltApiImage } from './image-builder.js';

export interface ImageBuildState {
  running: boolean;
  log: string[];
  error: string | null;
}

const KEEP_LINES = 200;

export class ImageBuildJob {
  private current: ImageBuildState = { running: false, log: [], error: null };

  constructor(private readonly onChange: () => void) {}

  get state(): ImageBuildState {
    return { ...this.current, log: this.current.log.slice(-KEEP_LINES) };
  }

  /** Starts a build unless one runs; resolves when it ends (rejects with the engine's message). False: one was running. */
  start(options: { docker: Dockerode; dockerfile: string; serverJs: string; tag: string }): { started: boolean; done: Promise<BuiltApiImage> | null } {
    if (this.current.running) return { started: false, done: null };
    this.current = { running: true, log: [], error: null };
    this.onChange();
    const done = buildApiImage({
      ...options,
      onLog: (line) => {
        this.current.log.push(line);
        if (this.current.log.length > 2 * KEEP_LINES) this.current.log.splice(0, KEEP_LINES);
        this.onChange();
      },
    }).then(
      (built) => {
        this.current.running = false;
        this.onChange();
        return built;
      },
      (error: unknown) => {
        this.current = { ...this.current, running: false, error: (error as Error).message };
        this.onChange();
        throw error;
      },
    );
    return { started: true, done };
  }
}
