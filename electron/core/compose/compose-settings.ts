// A service's ScaleDeck settings from its Compose keys: the `x-scaledeck` block, checked as settings are, over what
// `deploy.resources.limits`, `healthcheck`, `image` and `ports` imply.
import { applySettingsPatch, defaultSettings, isGlobalSetting, SettingsError, SettingsShape } from '../../contract/settings-schema.js';
import type { FieldScope } from './compose-fields.js';
import type { NormalService } from './compose-model.js';
import type { ScaleDecision } from './compose-scale-decision.js';

const MIB = 1024 * 1024;

export function serviceSettings(scope: FieldScope, service: NormalService, decision: ScaleDecision): { settings: Record<string, unknown>; warnings: string[] } {
  const given = Object.fromEntries(Object.entries(service.xScaledeck).filter(([key]) => key !== 'scale').map(([key, value]) => [key, typed(key, value)]));
  for (const key of Object.keys(given)) {
    if (isGlobalSetting(key)) scope.fail(`x-scaledeck.${key}`, 'is a setting of ScaleDeck as a whole, not of one service; set it in ScaleDeck\'s settings');
  }
  try {
    applySettingsPatch(defaultSettings, given);
  } catch (e) {
    if (e instanceof SettingsError) scope.fail(`x-scaledeck.${e.field}`, e.problem);
    throw e;
  }
  const warnings: string[] = [];
  const derived: Record<string, unknown> = {};
  const offer = (name: keyof typeof SettingsShape.shape, value: unknown, from: string) => {
    if (value === undefined || Object.hasOwn(given, name)) return;
    const checked = SettingsShape.shape[name].safeParse(value);
    if (checked.success) derived[name] = checked.data;
    else warnings.push(`${from} gives ${name} ${JSON.stringify(value)}, which ScaleDeck cannot use (${checked.error.issues[0]?.message ?? 'invalid'}); its default applies`);
  };
  offer('image', service.image, 'image');
  offer('containerPort', decision.containerPort, 'ports');
  // A service left to Compose keeps its published port: HAProxy must not take it.
  if (decision.scale) {
    offer('frontendHost', decision.frontend?.host, 'ports');
    offer('frontendPort', decision.frontend?.port, 'ports');
  }
  offer('healthPath', healthPathOf(service.healthTest), 'healthcheck');
  offer('cpuLimit', service.cpus, 'deploy.resources.limits.cpus');
  offer('memoryLimitMb', service.memoryBytes === undefined ? undefined : Math.floor(service.memoryBytes / MIB), 'deploy.resources.limits.memory');
  return { settings: { ...derived, ...given }, warnings };
}

/**
 * Interpolation leaves text (`maxReplicas: ${MAX:-5}` is "5"), so text a number or boolean setting would take as a
 * number or boolean is read as one, as Compose reads its own numeric keys.
 */
function typed(key: string, value: unknown): unknown {
  if (typeof value !== 'string' || !Object.hasOwn(SettingsShape.shape, key)) return value;
  const shape = SettingsShape.shape[key as keyof typeof SettingsShape.shape];
  const candidate = value === 'true' ? true : value === 'false' ? false : value.trim() === '' ? value : Number(value);
  return !shape.safeParse(value).success && shape.safeParse(candidate).success ? candidate : value;
}

const LOCAL_URL = /^https?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::\d+)?(\/[^\s'"|;&<>]*)?$/;

/** The path a `curl` or `wget` health check asks of localhost: `curl -f http://localhost:8000/healthz` -> `/healthz`. */
export function healthPathOf(test: string[] | undefined): string | undefined {
  if (test === undefined) return undefined;
  const words = (test[0] === 'CMD-SHELL' ? test.slice(1).join(' ').split(/\s+/) : test.slice(1)).map((w) => w.replace(/^['"]|['"]$/g, ''));
  if (!words.some((w) => /(^|\/)(curl|wget)$/.test(w))) return undefined;
  for (const word of words) {
    const match = LOCAL_URL.exec(word);
    if (match) return match[1] ?? '/';
  }
  return undefined;
}
