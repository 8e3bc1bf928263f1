// A project's plan as text for a terminal: one line per service, what ScaleDeck does with it and why.
import type { ComposeProjectView } from '../../contract/compose-contract.js';

export function describePlan(view: ComposeProjectView): string {
  const lines = [`Compose project ${view.project} (${view.file})${view.applied ? ': applied' : ': plan'}`];
  for (const service of view.services) {
    if (service.scale) {
      const frontend = service.frontend ? ` on ${service.frontend.host}:${service.frontend.port}` : '';
      const change = service.change && service.change !== 'keep' ? ` [${service.change}]` : '';
      lines.push(`  scale   ${service.name} -> ${service.service ?? service.name}: ${service.image ?? '?'} port ${service.containerPort ?? '?'}${frontend}${change}`);
    } else {
      lines.push(`  compose ${service.name}${service.state ? ` (${service.state})` : ''}: ${service.reasons.join('; ')}`);
    }
    for (const warning of service.warnings) lines.push(`          warning: ${warning}`);
  }
  for (const name of view.removes) lines.push(`  remove  ${name} (no longer in the file)`);
  if (view.composeUp) lines.push(`Start what is left to Compose with: ${view.composeUp}`);
  return lines.join('\n');
}
