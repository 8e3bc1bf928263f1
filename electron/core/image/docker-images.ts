// Small questions to Docker's image endpoints: does an image exist, and what does a build/pull/import stream say.
import type Dockerode from 'dockerode';
import { engineImage } from './engine-image.js';

interface ProgressEvent {
  stream?: string;
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

export function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

export async function imageExists(docker: Dockerode, tag: string): Promise<boolean> {
  try {
    await engineImage(docker, tag).inspect();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** A progress event as one readable line, or null for byte counters that would flood a log. */
function describe(event: ProgressEvent): string | null {
  if (event.stream !== undefined) return event.stream.trimEnd() || null;
  if (event.status === undefined) return null;
  if (event.progressDetail?.current !== undefined) return null;
  return event.id ? `${event.status} ${event.id}` : event.status;
}

/**
 * Reads a Docker JSON progress stream to its end, passing readable lines to `onLine`. Docker reports a
 * failed build or pull inside the stream with status 200, so the first `error` event rejects.
 */
export function followDockerProgress(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = '';
    let failure: Error | undefined;
    let ended = false;
    const handle = (line: string): void => {
      if (!line.trim()) return;
      let event: ProgressEvent;
      try {
        event = JSON.parse(line) as ProgressEvent;
      } catch {
        onLine(line.trim());
        return;
      }
      if (event.error !== undefined) {
        failure ??= new Error(event.errorDetail?.message ?? event.error);
        onLine(`error: ${event.errorDetail?.message ?? event.error}`);
        return;
      }
      const text = describe(event);
      if (text) for (const part of text.split('\n')) onLine(part);
    };
    stream.on('data', (chunk: Buffer | string) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(handle);
    });
    stream.on('error', (error: Error) => reject(error));
    stream.on('end', () => {
      ended = true;
      handle(pending);
      if (failure) reject(failure);
      else resolve();
    });
    // An aborted request closes the stream without ending it.
    stream.on('close', () => {
      if (!ended) reject(failure ?? new Error('Docker closed the progress stream before it finished'));
    });
  });
}
