// Whether ScaleDeck scales a service or leaves it to Compose, and why: its port, its state, its network, its image.
import { boolAt, FieldScope, integerAt } from './compose-fields.js';
import type { NormalService } from './compose-model.js';
import { statefulImage } from './compose-stateful-images.js';

export interface ScaleDecision {
  scale: boolean;
  reasons: string[];
  warnings: string[];
  containerPort?: number;
  frontend?: { host: string; port: number };
}

export function decideScale(scope: FieldScope, service: NormalService): ScaleDecision {
  const forced = boolAt(scope, service.xScaledeck.scale, 'x-scaledeck.scale');
  const { containerPort, frontend, warnings } = servingPort(scope, service);
  // What no override can change: HAProxy must reach each replica on a port of its own.
  const blocking: string[] = [];
  const mode = service.networkMode;
  if (mode === 'host') blocking.push('uses network_mode: host, so its replicas would share the host\'s ports and HAProxy cannot sit in front of them');
  else if (mode?.startsWith('service:') || mode?.startsWith('container:')) blocking.push(`uses network_mode: ${mode}, so its replicas would share one network stack`);
  else if (mode === 'none') blocking.push('uses network_mode: none, so nothing can reach it');
  else if (mode !== undefined) blocking.push(`uses network_mode: ${mode}, which ScaleDeck does not attach replicas to`);
  if (containerPort === undefined) blocking.push('has no port (no ports: and no expose:), so it looks like a worker: scaling workers on a queue\'s length is not done');
  const stateful = service.image === undefined ? undefined : statefulImage(service.image);
  const overridable = [
    ...(stateful === undefined ? [] : [`runs ${stateful}, a known stateful image (a database, cache, broker or in-memory store keeps its data in one place)`]),
    ...stateReasons(service),
  ];

  if (forced === true && blocking.length > 0) {
    scope.fail('x-scaledeck.scale', `is true, but the service ${blocking.join('; and ')}`);
  }
  if (forced === false) return { scale: false, reasons: ['x-scaledeck.scale is false', ...overridable, ...blocking], warnings, containerPort, frontend };
  if (forced === true) {
    const overridden = overridable.map((reason) => `scaled because x-scaledeck.scale is true, although it ${reason}`);
    return { scale: true, reasons: [], warnings: [...overridden, ...warnings], containerPort, frontend };
  }
  // The strongest reason first: a database is left to Compose for what it is, not for lacking a published port.
  const reasons = [...overridable, ...blocking];
  return { scale: reasons.length === 0, reasons, warnings: reasons.length === 0 ? warnings : [], containerPort, frontend };
}

function stateReasons(service: NormalService): string[] {
  const mounts = service.volumes.flatMap((v) => {
    if (v.type === 'volume' && v.source !== undefined) return [`keeps state in the named volume "${v.source}" (at ${v.target}), which its replicas would not share`];
    if (v.type === 'bind' && !v.readOnly) return [`writes to the host path ${v.source} (bind mount at ${v.target} without :ro), which its replicas would share unsafely`];
    return [];
  });
  // Even read-only, another container's volumes are its state, and replicas started apart from it cannot mount them.
  const borrowed = service.volumesFrom.map((from) => `mounts the volumes of ${from} (volumes_from), which are that container's state`);
  return [...mounts, ...borrowed];
}

/**
 * The container port HAProxy sends requests to: `x-scaledeck.containerPort`, else the first TCP port of `ports:`,
 * else the first of `expose:`. Its published host side, when fixed, is the frontend, so the URL stays what it was.
 */
function servingPort(scope: FieldScope, service: NormalService): Pick<ScaleDecision, 'containerPort' | 'frontend' | 'warnings'> {
  const warnings: string[] = [];
  const chosen = integerAt(scope, service.xScaledeck.containerPort, 'x-scaledeck.containerPort', 1, 65535);
  const tcp = service.ports.filter((p) => p.protocol === 'tcp');
  const mapping = chosen === undefined ? tcp[0] : tcp.find((p) => p.target === chosen);
  const containerPort = chosen ?? mapping?.target ?? service.expose.find((e) => e.protocol === 'tcp')?.port;
  if (mapping === undefined || containerPort === undefined) return { containerPort, warnings };
  const others = service.ports.filter((p) => p !== mapping && p.target !== containerPort && p.published !== undefined);
  if (others.length > 0) {
    warnings.push(`only port ${containerPort} is served through HAProxy; ${others.map((p) => `${p.published}:${p.target}/${p.protocol}`).join(', ')} ${others.length === 1 ? 'is' : 'are'} not published by replicas`);
  }
  if (mapping.published === undefined) {
    warnings.push(`port ${mapping.target} is published on no fixed host port, so ScaleDeck will choose the frontend port`);
    return { containerPort, warnings };
  }
  const host = mapping.hostIp === undefined || mapping.hostIp === '' ? '127.0.0.1' : mapping.hostIp;
  if (mapping.hostIp === undefined && service.xScaledeck.frontendHost === undefined) warnings.push(`port ${mapping.published} was published on every address; ScaleDeck's frontend listens on 127.0.0.1 only (x-scaledeck.frontendHost changes it)`);
  return { containerPort, frontend: { host, port: mapping.published }, warnings };
}
