// Runs one contract command against the control plane for either shell: validate input, call, wrap errors as data.
import { parseCommandInput, type CommandName, type Result, type ScaleDeckApi } from './contract.js';

/** The control plane as the shells see it: the contract's commands, already returning Result. */
export type CommandTarget = Omit<ScaleDeckApi, 'subscribe'>;

export async function dispatchCommand(target: CommandTarget, command: CommandName, input: unknown): Promise<Result<unknown>> {
  const parsed = parseCommandInput(command, input);
  if (!parsed.ok) return parsed.field ? { error: parsed.error, field: parsed.field } : { error: parsed.error };
  try {
    const call = target[command] as (value: unknown) => Promise<Result<unknown>>;
    return await call.call(target, parsed.value);
  } catch (error) {
    // A thrown error is a bug or an unreachable engine; the person still gets a message, not a lost stack.
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
