// The services at a glance, one row each: where it is served, its replicas, its first rule's metric against its
// thresholds, its recent replica count, what it is doing and why; a row is picked to show its cockpit below. Its
// Compose button shows the Compose panel, and a service applied from a Compose file names its project.
import { Fragment, memo, useRef, useState, type MouseEvent } from 'react';
import type { ServiceView } from '../electron/contract/contract.js';
import { AddServiceForm } from './add-service-form.js';
import { RemoveServiceConfirm } from './remove-service.js';
import { ReplicaSparkline } from './replica-sparkline.js';
import { readyCount, serviceState } from './service-figures.js';
import { ServiceMetric } from './service-metric.js';
import type { ServiceSamples } from './service-samples.js';

export interface ServicesOverviewProps {
  services: ServiceView[];
  selected: string | undefined;
  onSelect: (name: string) => void;
  samples: ServiceSamples;
  onAdded: (view: ServiceView) => void;
  onRemoved: (name: string) => void;
  /** Whether the Compose panel is shown, and the button's way to show or hide it. */
  composeOpen: boolean;
  composePanelId: string;
  onToggleCompose: () => void;
}

/** "127.0.0.1:8080" for "http://127.0.0.1:8080/": the address without what every one of them has. */
const shortUrl = (url: string): string => url.replace(/^https?:\/\//, '').replace(/\/$/, '');

export const ServicesOverview = memo(function ServicesOverview({
  services,
  selected,
  onSelect,
  samples,
  onAdded,
  onRemoved,
  composeOpen,
  composePanelId,
  onToggleCompose,
}: ServicesOverviewProps) {
  const removable = services.length > 1;
  const columns = removable ? 8 : 7;
  const [confirming, setConfirming] = useState<string | null>(null);
  const removeButtons = useRef(new Map<string, HTMLButtonElement | null>());
  const pickButtons = useRef(new Map<string, HTMLButtonElement | null>());
  const cancelRemove = () => {
    const name = confirming;
    setConfirming(null);
    // The keyboard goes back to where it was before the question.
    if (name !== null) removeButtons.current.get(name)?.focus();
  };
  const removed = (name: string) => {
    setConfirming(null);
    onRemoved(name);
    // Its row goes with the button that had the focus: the keyboard goes to the service the cockpit shows now.
    const shown = name === selected ? services.find((view) => view.name !== name)?.name : selected;
    if (shown !== undefined) pickButtons.current.get(shown)?.focus();
  };
  // A click anywhere on a row picks it, except on what does something else there (the link, Remove).
  const pickRow = (event: MouseEvent<HTMLTableRowElement>, name: string) => {
    if ((event.target as Element).closest('a, button, input')) return;
    onSelect(name);
  };
  return (
    <section className="card services-overview" aria-labelledby="services-title">
      <div className="services-head">
        <h2 id="services-title">
          Services <span className="count-badge">{services.length}</span>
        </h2>
        <div className="services-actions">
          <button type="button" aria-expanded={composeOpen} aria-controls={composePanelId} onClick={onToggleCompose}>
            Compose
          </button>
          <AddServiceForm onAdded={onAdded} />
        </div>
      </div>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Frontend</th>
              <th scope="col" className="num">
                Ready / desired
              </th>
              <th scope="col">Metric now</th>
              <th scope="col">Last 5 min</th>
              <th scope="col">State</th>
              <th scope="col">Last reason</th>
              {removable && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {services.map((view) => {
              const current = view.name === selected;
              const state = serviceState(view);
              return (
                <Fragment key={view.name}>
                  <tr className={current ? 'selected' : undefined} onClick={(event) => pickRow(event, view.name)}>
                    <th scope="row">
                      <button
                        type="button"
                        className="service-pick"
                        ref={(element) => {
                          pickButtons.current.set(view.name, element);
                        }}
                        aria-current={current ? 'true' : undefined}
                        onClick={() => onSelect(view.name)}
                      >
                        {view.name}
                      </button>
                      {view.project !== undefined && <span className="project-tag">{`from ${view.project}`}</span>}
                    </th>
                    <td className="mono">
                      <a href={view.frontendUrl} target="_blank" rel="noreferrer">
                        {shortUrl(view.frontendUrl)}
                      </a>
                    </td>
                    <td className="num">
                      <span className="replica-counts">
                        {readyCount(view)} / {view.desired}
                      </span>
                    </td>
                    <td>
                      <ServiceMetric samples={samples} service={view.name} settings={view.settings} sample={view.sample} />
                    </td>
                    <td>
                      <ReplicaSparkline samples={samples} service={view.name} />
                    </td>
                    <td>
                      <span className={`badge service-state state-${state.replace(' ', '-')}`}>{state}</span>
                    </td>
                    <td className="last-reason">{view.lastReason ?? '–'}</td>
                    {removable && (
                      <td className="actions">
                        <button
                          type="button"
                          className="small"
                          ref={(element) => {
                            removeButtons.current.set(view.name, element);
                          }}
                          aria-label={`Remove service ${view.name}`}
                          aria-expanded={confirming === view.name}
                          onClick={() => setConfirming(confirming === view.name ? null : view.name)}
                        >
                          Remove
                        </button>
                      </td>
                    )}
                  </tr>
                  {removable && confirming === view.name && (
                    <RemoveServiceConfirm name={view.name} columns={columns} onRemoved={removed} onCancel={cancelRemove} />
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
});
