// "Open Compose file…" in the main process: the picked file's text and folder go to the window, or the person is told why not.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { COMPOSE_BODY_BYTES } from '../../../electron/contract/compose-contract.js';
import { openComposeFile } from '../../../electron/shells/desktop/open-compose-file.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'scaledeck-open-compose-'));
const file = path.join(dir, 'compose.yaml');
const yaml = 'services:\n  api:\n    build: ./api\n';
writeFileSync(file, yaml);

function steps(picked: string | undefined, shown = true) {
  return { pick: vi.fn(async () => picked), send: vi.fn(() => shown), fail: vi.fn() };
}

describe('opening a Compose file from the desktop menu', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sends the file text with its folder and its path, so relative paths in it resolve', async () => {
    const opened = steps(file);
    await openComposeFile(opened);
    expect(opened.send).toHaveBeenCalledWith({ yaml, projectDir: dir, fileName: file });
    expect(opened.fail).not.toHaveBeenCalled();
  });

  it('does nothing when the person cancels the dialog', async () => {
    const opened = steps(undefined);
    await openComposeFile(opened);
    expect(opened.send).not.toHaveBeenCalled();
    expect(opened.fail).not.toHaveBeenCalled();
  });

  it('says which file could not be read, and sends nothing', async () => {
    const missing = path.join(dir, 'gone.yaml');
    const opened = steps(missing);
    await openComposeFile(opened);
    expect(opened.send).not.toHaveBeenCalled();
    expect(opened.fail).toHaveBeenCalledWith(expect.stringContaining(`Could not read ${missing}`));
  });

  it('refuses a file larger than a Compose input may be, before reading it', async () => {
    const big = path.join(dir, 'big.yaml');
    writeFileSync(big, Buffer.alloc(COMPOSE_BODY_BYTES + 1, 0x20));
    const opened = steps(big);
    await openComposeFile(opened);
    expect(opened.send).not.toHaveBeenCalled();
    expect(opened.fail).toHaveBeenCalledWith(expect.stringMatching(/at most 8 MiB/));
  });

  it('tells the person to try again when no dashboard is shown to take the file', async () => {
    const opened = steps(file, false);
    await openComposeFile(opened);
    expect(opened.fail).toHaveBeenCalledWith(expect.stringMatching(/not shown yet/));
  });
});
