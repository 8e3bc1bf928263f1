// A fake control plane behind the ScaleDeckApi interface: records every call, answers as told, streams on demand.
import type {
  CommandName,
  ControlEvent,
  LoadStatus,
  ForecastView,
  ReplicaView,
  Result,
  RolloutView,
  Sample,
  ScaleDeckApi,
  ServiceView,
  Settings,
  Snapshot,
  StreamMessage,
} from '../../../electron/contract/contract.js';
import { defaultSettings } from '../../../electron/contract/settings-schema.js';
import type { ConnectionSource, ConnectionState } from '../../../renderer/bridge.js';

export const T0 = Date.parse('2025-01-01T12:00:00Z');

export function makeSample(at: number, overrides: Partial<Sample> = {}): Sample {
  return {
    at,
    hostCpu: 40,
    replicaCpu: 55,
    rps: 120,
    rpsPerReplica: 60,
    sessions: 3,
    queue: 0,
    http5xx: 0,
    responseTimeMs: 4,
    latencyP50Ms: 3,
    latencyP95Ms: 4,
    replicaMemory: 20,
    desired: 2,
    ready: 2,
    total: 2,
    ...overrides,
  };
}

export function makeReplica(overrides: Partial<ReplicaView> = {}): ReplicaView {
  return {
    id: 'c0ffee01',
    name: 'scaledeck-api-1',
    hostPort: 32768,
    state: 'ready',
    cpuPercent: 12.4,
    memBytes: 48 * 1024 * 1024,
    startedAt: T0 - 65_000,
    generation: 'latest 3fa2c1b0',
    ...overrides,
  };
}

export const idleRollout: RolloutView = { state: 'idle', from: null, to: null, replaced: 0, total: 0, reason: null, canRollBack: false };
const noRun = { replicaSeconds: 0, secondsAboveUp: 0, scaleEvents: 0, peakReplicas: 0 };

const idleLoad: LoadStatus = { running: false, rate: 0, durationS: 0, startedAt: null, sent: 0, errors: 0, non2xx: 0 };

/**
 * A snapshot; `mode` is a shorthand for `settings.mode`. Unless `services` is given, it lists one service, `web`, whose
 * view is the top-level fields (as the control plane's is).
 */
export function makeSnapshot({ mode = 'auto', ...overrides }: Partial<Snapshot> & { mode?: Settings['mode'] } = {}): Snapshot {
  const snapshot: Snapshot = {
    services: [],
    settings: { ...defaultSettings, mode },
    desired: 2,
    replicas: [makeReplica(), makeReplica({ id: 'c0ffee02', name: 'scaledeck-api-2', hostPort: 32769 })],
    haproxy: { running: true, version: '2.6.12', frontendUrl: 'http://127.0.0.1:8080/', statsUrl: 'http://127.0.0.1:8404/stats' },
    docker: { reachable: true, version: '20.10.24' },
    events: [],
    sample: makeSample(T0),
    checks: [
      { id: 'docker', ok: true, message: 'Docker 20.10.24' },
      { id: 'haproxy', ok: true, message: 'HAProxy 2.6.12' },
    ],
    load: idleLoad,
    imageBuild: { running: false, log: [], error: null },
    policy: { waitingFor: null, schedule: { open: null, next: null }, windows: [], range: { minReplicas: 1, maxReplicas: 10 } },
    forecast: { available: false, reason: 'no forecast yet: the history holds 0 h of the 24 h a forecast needs' },
    rollout: idleRollout,
    ...overrides,
  };
  if (!overrides.services) snapshot.services = [viewOf('web', snapshot)];
  return snapshot;
}

/** A service's view with the per-service fields of `snapshot`, e.g. a first service as the top-level fields tell it. */
export function viewOf(name: string, snapshot: Omit<Snapshot, 'services'>, overrides: Partial<ServiceView> = {}): ServiceView {
  return {
    name,
    settings: snapshot.settings,
    desired: snapshot.desired,
    replicas: snapshot.replicas,
    frontendUrl: snapshot.haproxy.frontendUrl,
    policy: snapshot.policy,
    rollout: snapshot.rollout,
    sample: snapshot.sample,
    lastReason: null,
    forecast: snapshot.forecast,
    ...overrides,
  };
}

/**
 * A snapshot of several services: the first's view is also the top-level fields, as the control plane sends it.
 * `views` give each service's own parts.
 */
export function makeServicesSnapshot(views: ServiceView[], overrides: Partial<Snapshot> = {}): Snapshot {
  const first = views[0]!;
  return makeSnapshot({
    settings: first.settings,
    desired: first.desired,
    replicas: first.replicas,
    policy: first.policy,
    rollout: first.rollout,
    sample: first.sample,
    haproxy: { ...makeSnapshot().haproxy, frontendUrl: first.frontendUrl },
    ...overrides,
    services: views,
  });
}

export interface RecordedCall {
  command: CommandName;
  input: unknown;
}

type Answer = (input: unknown) => Result<unknown> | Promise<Result<unknown>>;

/** Answers every command from a held snapshot unless a test overrides the answer with `answer(command, fn)`. */
export class FakeBridge implements ScaleDeckApi {
  readonly calls: RecordedCall[] = [];
  private readonly answers = new Map<CommandName, Answer>();
  private readonly listeners = new Set<(message: StreamMessage) => void>();

  constructor(
    public snapshot: Snapshot = makeSnapshot(),
    public history: Sample[] = [makeSample(T0 - 2000), makeSample(T0 - 1000), makeSample(T0)],
  ) {}

  answer(command: CommandName, fn: Answer): void {
    this.answers.set(command, fn);
  }

  callsOf(command: CommandName): unknown[] {
    return this.calls.filter((call) => call.command === command).map((call) => call.input);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  emit(message: StreamMessage): void {
    for (const listener of [...this.listeners]) listener(message);
  }

  emitEvent(event: ControlEvent): void {
    this.emit({ type: 'event', event });
  }

  private async run<T>(command: CommandName, input: unknown, fallback: () => Result<T>): Promise<Result<T>> {
    this.calls.push({ command, input });
    const override = this.answers.get(command);
    return override ? ((await override(input)) as Result<T>) : fallback();
  }

  getSnapshot = () => this.run('getSnapshot', undefined, () => ({ result: this.snapshot }));
  getServices = () => this.run('getServices', undefined, () => ({ result: this.snapshot.services }));
  addService: ScaleDeckApi['addService'] = (input) =>
    this.run('addService', input, () => ({ result: viewOf(input.name, this.snapshot, { desired: 0, replicas: [], sample: null }) }));
  removeService: ScaleDeckApi['removeService'] = (input) => this.run('removeService', input, () => ({ result: { removed: input.name } }));
  planCompose: ScaleDeckApi['planCompose'] = (input) => this.run('planCompose', input, () => ({ error: 'planCompose: not answered by this fake' }));
  applyCompose: ScaleDeckApi['applyCompose'] = (input) => this.run('applyCompose', input, () => ({ error: 'applyCompose: not answered by this fake' }));
  getComposeProjects = () => this.run('getComposeProjects', undefined, () => ({ result: [] }));
  removeCompose: ScaleDeckApi['removeCompose'] = (input) => this.run('removeCompose', input, () => ({ result: { removed: [] } }));
  getHistory: ScaleDeckApi['getHistory'] = (input) => this.run('getHistory', input, () => ({ result: this.history }));
  forecast: Result<ForecastView> = { error: 'no forecast yet: the history holds 0 h of the 24 h a forecast needs', notFound: true };
  getForecast: ScaleDeckApi['getForecast'] = (input) => this.run('getForecast', input, () => this.forecast);
  whatIf: ScaleDeckApi['whatIf'] = (input) => this.run('whatIf', input, () => ({ result: { series: [], summary: noRun, actual: noRun, model: '' } }));
  updateSettings: ScaleDeckApi['updateSettings'] = ({ service, ...patch }) =>
    this.run('updateSettings', service === undefined ? patch : { ...patch, service }, () => ({ result: { ...this.settingsOf(service), ...patch } }));
  scale: ScaleDeckApi['scale'] = (input) => this.run('scale', input, () => ({ result: { desired: input.replicas, mode: 'manual' as const } }));
  setMode: ScaleDeckApi['setMode'] = (input) => this.run('setMode', input, () => ({ result: { mode: input.mode } }));
  removeReplica: ScaleDeckApi['removeReplica'] = (input) => this.run('removeReplica', input, () => ({ result: { removed: input.id } }));
  startLoad: ScaleDeckApi['startLoad'] = (input) =>
    this.run('startLoad', input, () => ({ result: { running: true, rate: input.rate, durationS: input.durationS, startedAt: Date.now(), sent: 0, errors: 0, non2xx: 0 } }));
  stopLoad = () => this.run('stopLoad', undefined, () => ({ result: { ...this.snapshot.load, running: false } }));
  buildImage = () => this.run('buildImage', undefined, () => ({ result: { started: true } }));
  recheck = () => this.run('recheck', undefined, () => ({ result: this.snapshot.checks }));
  rollback: ScaleDeckApi['rollback'] = (input) => this.run('rollback', input, () => ({ result: this.snapshot.rollout }));
  retryRollout: ScaleDeckApi['retryRollout'] = (input) => this.run('retryRollout', input, () => ({ result: this.snapshot.rollout }));

  /** A service's settings as the control plane would answer them (the first's for none). */
  private settingsOf(service: string | undefined): Settings {
    return this.snapshot.services.find((view) => view.name === service)?.settings ?? this.snapshot.settings;
  }

  subscribe(listener: (message: StreamMessage) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}

/** A fake whose stream can drop and come back, like the headless shell's WebSocket. */
export class FakeStreamingBridge extends FakeBridge implements ConnectionSource {
  private state: ConnectionState = 'connecting';
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();

  onConnectionState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  setConnection(state: ConnectionState): void {
    this.state = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }
}
