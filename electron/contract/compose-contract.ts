// The contract's part for Compose files: the input of a plan or an apply, and what a project looks like to the UI.
import './zod-setup.js';
import { z } from 'zod';

/** Larger than the planner's own limit, so an oversized file gets the planner's 400 naming it, not the body's 413. */
export const COMPOSE_BODY_BYTES = 8 * 1024 * 1024;

/** A Compose file's text, the folder its relative paths point into, and variables for its `${VAR}`s. */
export const ComposeInput = z.strictObject({
  yaml: z.string({ error: 'must be the Compose file\'s text' }).min(1, 'must not be empty'),
  projectDir: z.string().min(1, 'must name a folder').max(4096).optional(),
  env: z.record(z.string(), z.string(), { error: 'must be an object of strings' }).optional(),
  /** The file's name, for messages and the `docker compose -f` command shown for what is left to Compose. */
  fileName: z.string().min(1).max(4096).optional(),
  projectName: z.string().min(1).max(63).optional(),
});
export const ComposeProjectInput = z.strictObject({ project: z.string({ error: 'must name the project' }).min(1).max(63) });

export type ComposeInput = z.infer<typeof ComposeInput>;

/**
 * What the caller may make ScaleDeck read: never part of the input, decided by the shell. The desktop window and a
 * file opened with --compose may name host files; a file sent over HTTP without such a folder may not.
 */
export interface ComposeAccess {
  hostFiles: boolean;
}
export type ComposeProjectInput = z.infer<typeof ComposeProjectInput>;

/** A service left to Compose, as the engine shows it now; ScaleDeck only reads it. */
export type ComposeServiceState = 'running' | 'unhealthy' | 'starting' | 'exited' | 'missing';

export interface ComposeServiceView {
  /** Its name in the Compose file. */
  name: string;
  scale: boolean;
  reasons: string[];
  warnings: string[];
  image?: string;
  containerPort?: number;
  frontend?: { host: string; port: number };
  /** Scaled: the ScaleDeck service that runs it (`<project>.<name>`). */
  service?: string;
  /** Scaled: what applying does to it (`add`, `update`: its replicas roll out, `keep`: nothing changed). */
  change?: 'add' | 'update' | 'keep';
  /** Left to Compose: its state, read from the engine by Compose's labels. */
  state?: ComposeServiceState;
}

export interface ComposeProjectView {
  project: string;
  file: string;
  services: ComposeServiceView[];
  /** ScaleDeck services of this project that applying would drain and remove (gone from the file). */
  removes: string[];
  /** The command that starts what is left to Compose, or null when ScaleDeck scales every service. */
  composeUp: string | null;
  /** True once applied (a plan answers false). */
  applied: boolean;
}
