// Parses the runtime API's `show stat` CSV and `show servers state` dumps into typed records.

export type StatKind = 'frontend' | 'backend' | 'server' | 'listener';

export interface StatRecord {
  proxy: string;
  /** 'FRONTEND', 'BACKEND' or the server (or listener) name. */
  server: string;
  kind: StatKind;
  /** OPEN, UP, DOWN, MAINT, DRAIN, NOLB, "UP 1/2", ... */
  status: string;
  /** Current sessions. */
  scur: number;
  /** Requests queued. */
  qcur: number;
  /** Requests per second for frontends (req_rate); sessions per second for backends and servers. */
  rate: number;
  /** Cumulative sessions. */
  stot: number;
  /** Cumulative HTTP requests (frontends and backends). */
  requestsTotal: number;
  hrsp5xx: number;
  /** Average response time over the last 1024 requests, in ms. */
  rtime: number;
  checkStatus: string;
  weight: number;
  /** Idle connections kept to this server; they keep `del server` from succeeding. */
  idleConnections: number;
  /** host:port for servers, empty otherwise. */
  address: string;
}

const KINDS: Record<string, StatKind> = { '0': 'frontend', '1': 'backend', '2': 'server', '3': 'listener' };

export function parseShowStat(csv: string): StatRecord[] {
  const lines = csv.split('\n').map((line) => line.replace(/\r$/, ''));
  const headerIndex = lines.findIndex((line) => line.startsWith('# '));
  if (headerIndex < 0) {
    throw new Error(`"show stat" answer has no "# pxname,svname,..." header line; it began with: ${csv.slice(0, 120)}`);
  }
  const columns = splitCsvLine(lines[headerIndex].slice(2));
  // Looked up once per answer, not once per row and field: a tick parses a row for every replica of every service.
  const at = new Map(columns.map((name, index) => [name, index]));
  const records: StatRecord[] = [];
  for (const line of lines.slice(headerIndex + 1)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const cells = splitCsvLine(line);
    const field = (name: string): string => {
      const index = at.get(name);
      return index === undefined ? '' : (cells[index] ?? '');
    };
    const server = field('svname');
    const kind = KINDS[field('type')] ?? kindFromName(server);
    records.push({
      proxy: field('pxname'),
      server,
      kind,
      status: field('status'),
      scur: count(field('scur')),
      qcur: count(field('qcur')),
      rate: count(kind === 'frontend' ? field('req_rate') : field('rate')),
      stot: count(field('stot')),
      requestsTotal: count(field('req_tot')),
      hrsp5xx: count(field('hrsp_5xx')),
      rtime: count(field('rtime')),
      checkStatus: field('check_status'),
      weight: count(field('weight')),
      idleConnections: count(field('idle_conn_cur')),
      address: field('addr'),
    });
  }
  return records;
}

/** Splits one CSV line: comma-separated, fields optionally in double quotes, a quote inside doubled. */
export function splitCsvLine(line: string): string[] {
  // Most rows quote nothing (HAProxy quotes only a field holding a comma or a quote): a plain split is exact for them.
  if (!line.includes('"')) return line.split(',');
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else {
      cell += ch;
    }
  }
  cells.push(cell);
  return cells;
}

function kindFromName(server: string): StatKind {
  if (server === 'FRONTEND') return 'frontend';
  if (server === 'BACKEND') return 'backend';
  return 'server';
}

// An empty cell means "not applicable to this row"; counting it as 0 keeps sums simple.
function count(text: string): number {
  const value = Number(text);
  return text === '' || Number.isNaN(value) ? 0 : value;
}

export type OperationalState = 'stopped' | 'starting' | 'running' | 'stopping';

export interface ServerState {
  backend: string;
  backendId: number;
  id: number;
  name: string;
  address: string;
  port: number;
  operational: OperationalState;
  /** The raw srv_admin_state bit mask. */
  adminFlags: number;
  /** Forced, inherited, configured or resolution maintenance. */
  maint: boolean;
  /** Forced or inherited drain. */
  drain: boolean;
  weight: number;
  checkResult: number;
}

const OPERATIONAL: OperationalState[] = ['stopped', 'starting', 'running', 'stopping'];
// SRV_ADMF_FMAINT | SRV_ADMF_IMAINT | SRV_ADMF_CMAINT | SRV_ADMF_RMAINT
const MAINT_FLAGS = 0x01 | 0x02 | 0x04 | 0x20;
// SRV_ADMF_FDRAIN | SRV_ADMF_IDRAIN
const DRAIN_FLAGS = 0x08 | 0x10;

export function parseServersState(text: string): ServerState[] {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  if (lines[0] !== '1') {
    throw new Error(`"show servers state" answer is not format version 1; it began with: ${text.slice(0, 120)}`);
  }
  const header = lines.find((line) => line.startsWith('#'));
  if (!header) throw new Error('"show servers state" answer has no "# be_id be_name ..." header line');
  const columns = header.slice(1).trim().split(/\s+/);
  const states: ServerState[] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith('#')) continue;
    const cells = line.split(/\s+/);
    const field = (name: string): string => cells[columns.indexOf(name)] ?? '';
    const adminFlags = Number(field('srv_admin_state'));
    states.push({
      backend: field('be_name'),
      backendId: Number(field('be_id')),
      id: Number(field('srv_id')),
      name: field('srv_name'),
      address: field('srv_addr'),
      port: Number(field('srv_port')),
      operational: OPERATIONAL[Number(field('srv_op_state'))] ?? 'stopped',
      adminFlags,
      maint: (adminFlags & MAINT_FLAGS) !== 0,
      drain: (adminFlags & DRAIN_FLAGS) !== 0,
      weight: Number(field('srv_uweight')),
      checkResult: Number(field('srv_check_result')),
    });
  }
  return states;
}
