// Applies a Compose file's plan to the app: its scaled services become services of ScaleDeck (added, changed by the
// same hitless paths as a settings change or a rollout, or drained and removed), with their networks and relays.
// Every service's settings are checked before the first change, so a bad file changes nothing.
import type { ComposeProjectView, ComposeServiceState, ComposeServiceView } from '../../contract/compose-contract.js';
import type { AddServiceInput, Result, ServiceView } from '../../contract/contract.js';
import { applySettingsPatch, defaultSettings, SettingsError, type Settings } from '../../contract/settings-schema.js';
import type { SettingsStore } from '../settings-store.js';
import { ComposeFileError, type ComposePlan, type ComposeSource, type PlannedBuild, type PlannedService } from './compose-plan-types.js';
import { builtImageTag } from './context-build.js';
import { serviceNameFor, type ServiceOrigin } from './service-origin.js';

const ok = <T>(result: T): Result<T> => ({ result });
const fail = (error: string, field?: string): Result<never> => (field ? { error, field } : { error });

/** The engine's side of a project: reading the file, the networks, the relays, and what Compose runs. */
export interface ComposeEngine {
  plan(source: ComposeSource): ComposePlan;
  /** Creates the project's networks that do not exist yet, labelled as Compose would, so Compose later uses them as its own. */
  ensureNetworks(plan: ComposePlan): Promise<void>;
  /** The state of the services left to Compose, by Compose's labels. */
  states(plan: ComposePlan): Promise<Map<string, ComposeServiceState>>;
  /** Whether an image is in the engine. */
  imageExists(image: string): Promise<boolean>;
  /** Builds a service's image from its `build:` and tags it. */
  build(build: PlannedBuild, tag: string): Promise<void>;
  /** The relay image, checked before anything starts. */
  readonly relayImage: string;
  ensureRelay(service: string, origin: ServiceOrigin, port: number): Promise<void>;
  removeRelay(service: string): Promise<void>;
  /** Removes the project's networks ScaleDeck made, once nothing is attached to them; never one Compose made. */
  removeNetworks(plan: ComposePlan): Promise<void>;
}

/** What applying needs of the control plane; called inside its update queue, so these never queue themselves. */
export interface ComposeHost {
  store: SettingsStore;
  driverKind(): string;
  add(input: AddServiceInput, origin: ServiceOrigin, desired: number | undefined): Promise<Result<ServiceView>>;
  update(name: string, patch: Record<string, unknown>): Promise<Result<Settings>>;
  remove(name: string): Promise<Result<{ removed: string }>>;
  /** Rolls a service's replicas from the runtime they run to the one the file gives now. */
  rollOut(name: string, before: ServiceOrigin | undefined, after: ServiceOrigin): void;
  /** A free port on `host` for a service whose file publishes none. */
  freePort(host: string): Promise<number>;
}

interface Step {
  planned: PlannedService;
  name: string;
  origin: ServiceOrigin;
  patch: Record<string, unknown>;
  change: 'add' | 'update' | 'keep';
  runtimeChanged: boolean;
  /** The image its replicas run: the file's, or the one built from its `build:`. */
  image: string;
  /** Built from the file's `build:` at apply, when its image is not there yet. */
  build?: { from: PlannedBuild; tag: string };
}

/** What a project's view shows of a scaled service: a step of an apply, or of a plan applied before. */
type ViewStep = Pick<Step, 'planned' | 'name' | 'image'> & { change?: Step['change'] };

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export class ComposeProjects {
  constructor(private readonly engine: ComposeEngine, private readonly host: ComposeHost) {}

  private read(input: ComposeSource): Result<ComposePlan> {
    try {
      return ok(this.engine.plan(input));
    } catch (error) {
      // The field names where in the file: `services.api.ports.0`, or the file's own key (`networks`, `line 3`).
      if (error instanceof ComposeFileError) return fail(error.message, error.service === undefined ? error.key : `services.${error.service}.${error.key}`);
      throw error;
    }
  }

  private projectServices(project: string): string[] {
    const { store } = this.host;
    return store.serviceNames.filter((name) => store.service(name).origin?.project === project);
  }

  /** What applying `plan` would do to each scaled service; a problem with any of them fails the whole plan. */
  private async steps(plan: ComposePlan): Promise<Result<Step[]>> {
    const { store } = this.host;
    const steps: Step[] = [];
    for (const planned of plan.services.filter((s) => s.scale)) {
      const name = serviceNameFor(plan.project, planned.name);
      const field = `services.${planned.name}`;
      if (!planned.runtime || planned.containerPort === undefined) return fail(`${plan.file}: service "${planned.name}": ports: ScaleDeck needs the port it serves HTTP on`, field);
      // With only `build:`, the image is the one Compose would build and tag; it is built at apply when missing.
      const image = planned.image ?? (planned.build ? builtImageTag(plan.project, planned.name) : undefined);
      if (!image) return fail(`${plan.file}: service "${planned.name}": image: is missing, and so is build`, `${field}.image`);
      const toBuild = planned.build && !(await this.engine.imageExists(image)) ? { from: planned.build, tag: image } : undefined;
      const origin: ServiceOrigin = { project: plan.project, service: planned.name, runtime: planned.runtime };
      const existing = store.serviceNames.includes(name) ? store.service(name) : undefined;
      if (existing && existing.origin?.project !== plan.project) return fail(`${field}: ScaleDeck has a service named ${name} that is not from this project; rename or remove it first`, field);
      const wanted: Record<string, unknown> = { ...planned.settings, image, containerPort: planned.containerPort };
      if (planned.frontend) Object.assign(wanted, { frontendHost: planned.frontend.host, frontendPort: planned.frontend.port });
      else if (!existing) Object.assign(wanted, { frontendHost: '127.0.0.1', frontendPort: await this.host.freePort('127.0.0.1') });
      try {
        // Checked now against what it would be, so the first change waits until every service is known good.
        applySettingsPatch(existing ? existing.settings : ({ ...defaultSettings, ...store.settings } as Settings), wanted);
      } catch (error) {
        if (error instanceof SettingsError) return fail(`${plan.file}: service "${planned.name}": x-scaledeck.${error.field}: ${error.problem}`, `${field}.${error.field}`);
        throw error;
      }
      if (!toBuild && !(await this.engine.imageExists(image))) return fail(`${plan.file}: service "${planned.name}": image: ${image} is not in the Docker engine; pull or build it first`, `${field}.image`);
      // Compared as a file may write them: the first rule's fields flat beside the rest.
      const current: Record<string, unknown> | undefined = existing && { ...existing.settings, ...existing.settings.rules[0] };
      const patch = current ? Object.fromEntries(Object.entries(wanted).filter(([key, value]) => !same(current[key], value))) : wanted;
      const runtimeChanged = existing !== undefined && !same(existing.origin?.runtime, origin.runtime);
      const change = !existing ? 'add' : Object.keys(patch).length > 0 || runtimeChanged || toBuild ? 'update' : 'keep';
      steps.push({ planned, name, image, origin, patch, runtimeChanged, change, ...(toBuild ? { build: toBuild } : {}) });
    }
    return ok(steps);
  }

  private async view(plan: ComposePlan, steps: ViewStep[], applied: boolean): Promise<ComposeProjectView> {
    const states = plan.services.some((s) => !s.scale) ? await this.engine.states(plan).catch(() => new Map<string, ComposeServiceState>()) : new Map();
    const kept = new Set(steps.map((s) => s.name));
    const services = plan.services.map((planned): ComposeServiceView => {
      const step = steps.find((s) => s.planned.name === planned.name);
      return {
        name: planned.name, scale: planned.scale, reasons: planned.reasons, warnings: planned.warnings,
        ...(step?.image ?? planned.image ? { image: step?.image ?? planned.image } : {}),
        ...(planned.containerPort !== undefined ? { containerPort: planned.containerPort } : {}),
        ...(planned.frontend ? { frontend: planned.frontend } : {}),
        ...(step ? { service: step.name, change: applied ? 'keep' : step.change ?? 'keep' } : {}),
        ...(planned.scale ? {} : { state: states.get(planned.name) ?? 'missing' }),
      };
    });
    const removes = applied ? [] : this.projectServices(plan.project).filter((name) => !kept.has(name));
    return { project: plan.project, file: plan.file, services, removes, composeUp: plan.composeUp, applied };
  }

  async plan(input: ComposeSource): Promise<Result<ComposeProjectView>> {
    const plan = this.read(input);
    if ('error' in plan) return plan;
    const steps = await this.steps(plan.result);
    if ('error' in steps) return steps;
    return ok(await this.view(plan.result, steps.result, false));
  }

  async apply(input: ComposeSource): Promise<Result<ComposeProjectView>> {
    const read = this.read(input);
    if ('error' in read) return read;
    const plan = read.result;
    const checked = await this.steps(plan);
    if ('error' in checked) return checked;
    const steps = checked.result;
    if (steps.length > 0 && this.host.driverKind() !== 'docker') {
      return fail(`driver: services from a Compose file run on the docker driver (this app runs ${this.host.driverKind()})`, 'driver');
    }
    if (steps.length > 0 && !(await this.engine.imageExists(this.engine.relayImage))) {
      return fail(`image: the relay that lets the project's containers call a scaled service by name runs on ${this.engine.relayImage}, which is not built yet: build it with \`npm run image\``, 'image');
    }
    // Every image first: a build that fails leaves the app as it was.
    for (const step of steps.filter((s) => s.build)) {
      try {
        await this.engine.build(step.build!.from, step.build!.tag);
      } catch (error) {
        return fail(`${plan.file}: service "${step.planned.name}": build: ${(error as Error).message}`, `services.${step.planned.name}.build`);
      }
    }
    await this.engine.ensureNetworks(plan);
    const { store } = this.host;
    for (const step of steps) {
      if (step.change === 'add') {
        const added = await this.host.add({ name: step.name, ...step.patch } as AddServiceInput, step.origin, step.planned.replicas);
        if ('error' in added) return added;
        continue;
      }
      const before = store.service(step.name).origin;
      if (Object.keys(step.patch).length > 0) {
        const updated = await this.host.update(step.name, step.patch);
        if ('error' in updated) return updated;
      }
      if (step.runtimeChanged) {
        store.setOrigin(step.name, step.origin);
        this.host.rollOut(step.name, before, step.origin);
      }
    }
    const kept = new Set(steps.map((s) => s.name));
    for (const gone of this.projectServices(plan.project).filter((name) => !kept.has(name))) {
      const removed = await this.host.remove(gone);
      if ('error' in removed) return removed;
    }
    // Recorded before the relays: services that run belong to their project even when a relay cannot start.
    store.setProject(plan.project, plan);
    for (const step of steps) {
      try {
        await this.engine.ensureRelay(step.name, step.origin, step.planned.containerPort!);
      } catch (error) {
        return fail(`services.${step.planned.name}: applied and serving on its frontend, but the relay that answers to "${step.planned.name}" inside the project could not start: ${(error as Error).message}; apply again to retry`, `services.${step.planned.name}`);
      }
    }
    return ok(await this.view(plan, steps, true));
  }

  async list(): Promise<Result<ComposeProjectView[]>> {
    const { store } = this.host;
    const views: ComposeProjectView[] = [];
    for (const plan of this.host.store.projects) {
      const steps = plan.services.filter((s) => s.scale).map((planned) => {
        const name = serviceNameFor(plan.project, planned.name);
        const image = store.serviceNames.includes(name) ? store.service(name).settings.image : planned.image ?? '';
        return { planned, name, image };
      });
      views.push(await this.view(plan, steps, true));
    }
    return ok(views);
  }

  /** Drains and removes the project's services and relays; the networks and what Compose runs stay. */
  async remove(project: string): Promise<Result<{ removed: string[] }>> {
    const { store } = this.host;
    const names = this.projectServices(project);
    if (names.length === 0 && !store.projects.some((p) => p.project === project)) {
      return { error: `project: there is no Compose project named ${project}`, field: 'project', notFound: true };
    }
    if (names.length > 0 && names.length === store.serviceNames.length) {
      return fail(`project: ${project} has every service of this app, and an app keeps at least one; add another service first`, 'project');
    }
    for (const name of names) {
      const removed = await this.host.remove(name);
      if ('error' in removed) return removed;
    }
    const plan = store.projects.find((p) => p.project === project);
    if (plan) await this.engine.removeNetworks(plan).catch(() => undefined);
    store.setProject(project, null);
    return ok({ removed: names });
  }

  /** At a shutdown that drains: every relay goes with the replicas it forwarded to. */
  async stopRelays(): Promise<void> {
    const { store } = this.host;
    for (const name of store.serviceNames.filter((n) => store.service(n).origin)) await this.engine.removeRelay(name);
  }

  /** At start: every service from a file gets its relay back (kept when it still runs as it was made). */
  async resume(event: (message: string, service: string) => void): Promise<void> {
    const { store } = this.host;
    for (const name of store.serviceNames) {
      const service = store.service(name);
      if (!service.origin) continue;
      await this.engine.ensureRelay(name, service.origin, service.settings.containerPort)
        .catch((error: unknown) => event(`The relay for ${name} could not start: ${(error as Error).message}`, name));
    }
  }
}
