// Runs one contract command against the control plane for either shell: validate input, call, wrap errors as data.
import { parseCommandInput, READ_COMMANDS, SHUTTING_DOWN_ERROR, type CommandName, type CommandTarget, type Result } from '../../contract/contract.js';

export type { CommandTarget };

function describeShape(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  return Array.isArray(input) ? 'an array' : `a ${typeof input}`;
}

export async function dispatchCommand(target: CommandTarget, command: CommandName, input: unknown): Promise<Result<unknown>> {
  // The one shutdown guard, for both shells: once the drain to zero began, nothing may start a change.
  if (target.shuttingDown && !READ_COMMANDS.has(command)) return { error: SHUTTING_DOWN_ERROR };
  const parsed = parseCommandInput(command, input);
  if (!parsed.ok) {
    if (parsed.field) return { error: parsed.error, field: parsed.field };
    // No field is at fault when the whole input has the wrong shape (missing, null, a bare number): name the input.
    return { error: `input: must be an object with the fields of ${command}, got ${describeShape(input)}`, field: 'input' };
  }
  try {
    const call = target[command] as (value: unknown) => Promise<Result<unknown>>;
    return await call.call(target, parsed.value);
  } catch (error) {
    // A thrown error is a bug or an unreachable engine; the person still gets a message, not a lost stack.
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
