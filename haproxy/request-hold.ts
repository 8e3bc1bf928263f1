// Holds requests in HAProxy while the backend has no server up (scale to zero), and counts them for the waker.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const HOLD_ACTION = 'scaledeck_hold';
/** Runtime API command the script registers: answers how many requests are being held right now. */
export const HELD_COMMAND = 'scaledeck held';
/** The body a client gets when no replica came up within the hold. */
export const HOLD_TIMEOUT_BODY = 'No replica of this service became ready in time. Retry shortly.';

// Held requests are kept by id with their deadline instead of a plain counter: a client that hangs up while held
// ends its stream without running the rest of the action, and a counter would then count it for ever.
const SCRIPT = `-- Written by ScaleDeck: holds requests while the backend has no server up, and counts them.
local held = {}
local next_id = 0

local function now_ms()
  local t = core.now()
  return t.sec * 1000 + t.usec / 1000
end

core.register_action("${HOLD_ACTION}", { "http-req" }, function(txn, backend, timeout_ms)
  if txn.f:nbsrv(backend) > 0 then return end
  local deadline = now_ms() + tonumber(timeout_ms)
  next_id = next_id + 1
  local id = next_id
  held[id] = { deadline = deadline, backend = backend }
  while txn.f:nbsrv(backend) == 0 do
    if now_ms() >= deadline then
      held[id] = nil
      txn:set_var("txn.scaledeck_hold", "expired")
      return
    end
    core.msleep(50)
  end
  held[id] = nil
end, 2)

core.register_cli({ "scaledeck", "held" }, "scaledeck held : requests waiting for a server to come up, in all and per backend", function(applet)
  local now, count, per = now_ms(), 0, {}
  for id, entry in pairs(held) do
    if entry.deadline > now then
      count = count + 1
      per[entry.backend] = (per[entry.backend] or 0) + 1
    else
      held[id] = nil
    end
  end
  applet:send(string.format("%d\\n", count))
  for backend, n in pairs(per) do applet:send(string.format("%s %d\\n", backend, n)) end
end)
`;

export function holdScriptPath(dataDir: string): string {
  return join(dataDir, 'request-hold.lua');
}

export async function writeHoldScript(dataDir: string): Promise<void> {
  await writeFile(holdScriptPath(dataDir), SCRIPT, { mode: 0o600 });
}

/** The global line that loads the script. */
export function holdGlobalLines(dataDir: string): string[] {
  return [`lua-load "${holdScriptPath(dataDir)}"`];
}

/**
 * Frontend lines: while the backend has no usable server, wait up to timeoutS for one, else answer 503 with a short
 * body. The Lua action runs only when nbsrv is 0, so a serving backend pays one native fetch per request.
 */
export function holdFrontendLines(backend: string, timeoutS: number): string[] {
  return [holdActionLine(backend, timeoutS), HOLD_EXPIRED_LINE];
}

/**
 * The line that holds a request for `backend`; `condition` (ACL words) narrows it to the requests that go there.
 * A worker that a reload replaces counts no usable server in its backends while it finishes (seen on 2.6.12: a request
 * it took at that moment was held until the hold ran out), yet still has its servers; it serves without holding.
 * HAProxy stops at the first false term, so the server count comes first: false while the backend serves, it spares
 * every served request the other terms (0.2 ms of HAProxy CPU per 1,000 requests on 2.6.12, out of 5.7 outside the kernel).
 */
export function holdActionLine(backend: string, timeoutS: number, condition = ''): string {
  const timeoutMs = Math.round(timeoutS * 1000);
  return `http-request lua.${HOLD_ACTION} ${backend} ${timeoutMs} if { nbsrv(${backend}) eq 0 } ${condition ? `${condition} ` : ''}!{ stopping }`;
}

/** Answers a request whose hold ran out; once per frontend, whichever backend it waited for. */
export const HOLD_EXPIRED_LINE = `http-request return status 503 content-type text/plain string "${HOLD_TIMEOUT_BODY}" hdr Retry-After 5 if { var(txn.scaledeck_hold) -m str expired }`;

/**
 * Parses the answer of HELD_COMMAND: every held request on its first line, then `<backend> <count>` for each backend
 * holding some. With `backend`, that backend's count (0 when it holds none); a script from before backends were
 * counted answers only the total, which is then the one backend's.
 */
export function parseHeld(answer: string, backend?: string): number {
  const [first = '', ...rest] = answer.trim().split('\n');
  const count = Number.parseInt(first.trim(), 10);
  if (!/^\d+$/.test(first.trim()) || count < 0) throw new Error(`HAProxy answered "${answer.trim()}" to "${HELD_COMMAND}"; expected a count`);
  if (backend === undefined || rest.length === 0) return count;
  const line = rest.map((l) => l.trim().split(/\s+/)).find(([name]) => name === backend);
  return line ? Number.parseInt(line[1] ?? '0', 10) : 0;
}
