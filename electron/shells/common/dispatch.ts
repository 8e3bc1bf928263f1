// Runs one contract command against the control plane for either shell: validate input, call, wrap errors as data.
import { isServiceCommand, parseCommandInput, READ_COMMANDS, SHUTTING_DOWN_ERROR, type CommandName, type CommandTarget, type Result } from '../../contract/contract.js';
import { serviceNameProblem } from '../../contract/settings-schema.js';

export type { CommandTarget };

function describeShape(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  return Array.isArray(input) ? 'an array' : `a ${typeof input}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Which service a per-service command acts on: the one its route names, else its input's `service`, else the only
 * one there is. An unknown name is not found; no name among several is a 400 naming `service`.
 */
export function resolveService(target: CommandTarget, named: unknown): { name: string } | { error: string; field: 'service'; notFound?: true } {
  const names = target.serviceNames;
  if (named === undefined) {
    if (names.length === 1) return { name: names[0]! };
    return { error: `service: name the service this is for (one of ${names.join(', ')})`, field: 'service' };
  }
  const problem = serviceNameProblem(named);
  if (problem !== undefined) return { error: `service: ${problem}`, field: 'service' };
  if (!names.includes(named as string)) return { error: `service: there is no service named ${named as string} (services: ${names.join(', ')})`, field: 'service', notFound: true };
  return { name: named as string };
}

/** `service` (from the route, or from the input when the route names none) goes to the command as its own argument. */
function splitService(input: unknown, routed: string | undefined): { input: unknown; named: unknown } {
  if (!isRecord(input) || !('service' in input)) return { input, named: routed };
  const { service, ...rest } = input;
  // A route that names the service leaves the input as sent: a second `service` in it is an unknown field.
  if (routed !== undefined) return { input, named: routed };
  return { input: rest, named: service };
}

export async function dispatchCommand(target: CommandTarget, command: CommandName, input: unknown, routedService?: string): Promise<Result<unknown>> {
  // The one shutdown guard, for both shells: once the drain to zero began, nothing may start a change.
  if (target.shuttingDown && !READ_COMMANDS.has(command)) return { error: SHUTTING_DOWN_ERROR };
  let service: string | undefined;
  if (isServiceCommand(command)) {
    const split = splitService(input, routedService);
    const resolved = resolveService(target, split.named);
    if ('error' in resolved) return resolved;
    service = resolved.name;
    input = split.input;
  }
  const parsed = parseCommandInput(command, input);
  if (!parsed.ok) {
    if (parsed.field) return { error: parsed.error, field: parsed.field };
    // No field is at fault when the whole input has the wrong shape (missing, null, a bare number): name the input.
    return { error: `input: must be an object with the fields of ${command}, got ${describeShape(input)}`, field: 'input' };
  }
  try {
    const call = target[command] as (value: unknown, service?: string) => Promise<Result<unknown>>;
    return await (service === undefined ? call.call(target, parsed.value) : call.call(target, parsed.value, service));
  } catch (error) {
    // A thrown error is a bug or an unreachable engine; the person still gets a message, not a lost stack.
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
