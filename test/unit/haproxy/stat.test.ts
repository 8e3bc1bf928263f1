// Specification of the parsers for `show stat` and `show servers state`, on answers captured from HAProxy 2.6.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseServersState, parseShowStat, splitCsvLine } from '../../../haproxy/stat.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseShowStat', () => {
  const records = parseShowStat(fixture('show-stat.csv'));
  const find = (proxy: string, server: string) => records.find((r) => r.proxy === proxy && r.server === server);

  it('returns one record per row, frontends, backends and servers alike', () => {
    expect(records.map((r) => `${r.proxy}/${r.server}:${r.kind}`)).toEqual([
      'scaledeck_in/FRONTEND:frontend',
      'scaledeck/web-1:server',
      'scaledeck/web-2:server',
      'scaledeck/BACKEND:backend',
      'stats/FRONTEND:frontend',
    ]);
  });

  it('reads a server row: status, sessions, totals, check and address', () => {
    expect(find('scaledeck', 'web-1')).toMatchObject({
      status: 'UP',
      scur: 0,
      qcur: 0,
      stot: 4,
      rate: 4,
      weight: 1,
      checkStatus: '* L7OK',
      address: '127.0.0.1:19998',
      hrsp5xx: 0,
      idleConnections: 0,
    });
    expect(find('scaledeck', 'web-2')?.status).toBe('DRAIN');
  });

  it('takes the request rate of a frontend from req_rate', () => {
    const frontend = find('scaledeck_in', 'FRONTEND');
    expect(frontend).toMatchObject({ kind: 'frontend', status: 'OPEN', rate: 4, requestsTotal: 4 });
  });

  it('counts empty cells as zero', () => {
    const frontend = find('scaledeck_in', 'FRONTEND');
    expect(frontend?.qcur).toBe(0);
    expect(frontend?.weight).toBe(0);
  });

  it('locates columns by the header, not by position', () => {
    const csv = '# svname,pxname,scur,status,req_rate,type\nFRONTEND,fe,7,OPEN,12,0\nsrv1,be,3,UP,,2\n';
    expect(parseShowStat(csv)).toEqual([
      expect.objectContaining({ proxy: 'fe', server: 'FRONTEND', kind: 'frontend', scur: 7, status: 'OPEN', rate: 12 }),
      expect.objectContaining({ proxy: 'be', server: 'srv1', kind: 'server', scur: 3, status: 'UP', rate: 0 }),
    ]);
  });

  it('rejects an answer without the header line', () => {
    expect(() => parseShowStat('Unknown command.\n')).toThrow(/header/);
  });
});

describe('splitCsvLine', () => {
  it('splits on commas and keeps empty cells', () => {
    expect(splitCsvLine('a,,b,')).toEqual(['a', '', 'b', '']);
  });

  it('keeps commas and doubled quotes inside quoted cells', () => {
    expect(splitCsvLine('x,"Layer7 wrong status, code: 500",y')).toEqual(['x', 'Layer7 wrong status, code: 500', 'y']);
    expect(splitCsvLine('"say ""hi""",z')).toEqual(['say "hi"', 'z']);
  });
});

describe('parseServersState', () => {
  const states = parseServersState(fixture('show-servers-state.txt'));

  it('reads name, address, port and operational state of each server', () => {
    expect(states).toHaveLength(2);
    expect(states[0]).toMatchObject({ backend: 'scaledeck', id: 1, name: 'web-1', address: '127.0.0.1', port: 19998, operational: 'running', maint: false, drain: false, weight: 1 });
  });

  it('decodes the drain flag from the admin state mask', () => {
    expect(states[1]).toMatchObject({ name: 'web-2', port: 19997, adminFlags: 8, drain: true, maint: false });
  });

  it('decodes maintenance flags and every operational state', () => {
    const header = '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_port';
    const text = ['1', header, '3 be 1 a 10.0.0.1 0 1 1 80', '3 be 2 b 10.0.0.2 1 32 1 81', '3 be 3 c 10.0.0.3 3 4 1 82'].join('\n');
    expect(parseServersState(text).map((s) => [s.name, s.operational, s.maint, s.drain])).toEqual([
      ['a', 'stopped', true, false],
      ['b', 'starting', true, false],
      ['c', 'stopping', true, false],
    ]);
  });

  it('returns no servers for an empty backend', () => {
    const header = fixture('show-servers-state.txt').split('\n').slice(0, 2).join('\n');
    expect(parseServersState(`${header}\n\n`)).toEqual([]);
  });

  it('rejects an answer in another format version', () => {
    expect(() => parseServersState("Can't find backend.\n")).toThrow(/format version 1/);
  });
});
