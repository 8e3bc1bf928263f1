// "Open Compose file…" in the main process: the picked file is read here and handed to the window with its folder.
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { COMPOSE_BODY_BYTES } from '../../contract/compose-contract.js';
import type { ComposeInput } from '../../contract/contract.js';

export interface OpenComposeSteps {
  /** Asks for the file; undefined when the person cancels. */
  pick(): Promise<string | undefined>;
  /** Hands the file to the window; false when no dashboard is shown to take it. */
  send(input: ComposeInput): boolean;
  /** Tells the person why nothing was opened. */
  fail(message: string): void;
}

/** The window's input for a file: its text, and its folder for the relative paths in it (which only IPC may send). */
export async function readComposeFile(file: string): Promise<ComposeInput> {
  // Checked before reading: a wrong pick (a disk image, a log) is refused without loading it into memory.
  const { size } = await stat(file);
  if (size > COMPOSE_BODY_BYTES) throw new Error(`${file} is ${Math.round(size / 1024 / 1024)} MiB; a Compose file is at most ${COMPOSE_BODY_BYTES / 1024 / 1024} MiB`);
  return { yaml: await readFile(file, 'utf8'), projectDir: dirname(file), fileName: file };
}

export async function openComposeFile(steps: OpenComposeSteps): Promise<void> {
  const file = await steps.pick();
  if (file === undefined) return;
  let input: ComposeInput;
  try {
    input = await readComposeFile(file);
  } catch (error) {
    steps.fail(`Could not read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (!steps.send(input)) steps.fail('The dashboard is not shown yet (ScaleDeck is starting or stopping): open the file again once it is.');
}
