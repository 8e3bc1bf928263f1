// A Compose plan as a table: per service, who runs it, what it is, where it is served, what applying does and why;
// then what applying removes and the command that starts the rest.
import type { ComposeProjectView, ComposeServiceView } from '../electron/contract/contract.js';
import { CommandBlock } from './command-block.js';

const CHANGE_WORDS: Record<NonNullable<ComposeServiceView['change']>, string> = {
  add: 'Adds it',
  update: 'Updates it (rolls out its replicas)',
  keep: 'Keeps it (nothing changed)',
};

/** What applying does to a service, in words: ScaleDeck's change for a scaled one, nothing for the rest. */
function applyingWords(service: ComposeServiceView): string {
  if (service.scale) return service.change ? CHANGE_WORDS[service.change] : '–';
  return service.state ? `Leaves it to Compose (${service.state})` : 'Leaves it to Compose';
}

export function ComposePlanTable({ plan }: { plan: ComposeProjectView }) {
  return (
    <div className="compose-plan">
      <div className="table-scroll">
        <table aria-label={`Plan for ${plan.project}`}>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Run by</th>
              <th scope="col">Image</th>
              <th scope="col" className="num">
                Port
              </th>
              <th scope="col">Frontend</th>
              <th scope="col">Applying</th>
              <th scope="col">Reasons and warnings</th>
            </tr>
          </thead>
          <tbody>
            {plan.services.map((service) => (
              <tr key={service.name}>
                <th scope="row" className="mono">
                  {service.name}
                </th>
                <td>
                  <span className={`badge ${service.scale ? 'run-scaled' : 'run-compose'}`}>{service.scale ? 'Scaled by ScaleDeck' : 'Left to Compose'}</span>
                </td>
                <td className="mono">{service.image ?? '–'}</td>
                <td className="num mono">{service.containerPort ?? '–'}</td>
                <td className="mono">{service.frontend ? `${service.frontend.host}:${service.frontend.port}` : '–'}</td>
                <td>{applyingWords(service)}</td>
                <td className="compose-reasons">
                  {service.reasons.length + service.warnings.length === 0 ? (
                    '–'
                  ) : (
                    <ul>
                      {service.reasons.map((reason) => (
                        <li key={`r-${reason}`}>{reason}</li>
                      ))}
                      {service.warnings.map((warning) => (
                        <li key={`w-${warning}`} className="compose-warning">
                          <span className="visually-hidden">Warning: </span>
                          {warning}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {plan.removes.length > 0 && (
        <p className="compose-removes">
          Applying removes {plan.removes.length === 1 ? 'the service' : 'the services'}{' '}
          {plan.removes.map((name, index) => (
            <span key={name}>
              {index > 0 && ', '}
              <strong className="mono">{name}</strong>
            </span>
          ))}{' '}
          (gone from the file): {plan.removes.length === 1 ? 'its' : 'their'} replicas are drained first.
        </p>
      )}
      {plan.composeUp && <CommandBlock label="Starts what is left to Compose" command={plan.composeUp} />}
    </div>
  );
}
