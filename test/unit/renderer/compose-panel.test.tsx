// The Compose panel, opened from the services overview: a file is planned and shown as a table, applied as it was
// planned, refused at the field the control plane names, and the applied projects are shown with what they leave to
// Compose read-only; removing one asks first.
import { act, render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ComposeFileSource, ComposeInput, ComposeProjectView } from '../../../electron/contract/contract.js';
import { App } from '../../../renderer/app.js';
import { PROJECTS_REFRESH_MS } from '../../../renderer/compose-panel.js';
import { FakeBridge, makeServicesSnapshot, makeSnapshot, viewOf } from './fake-bridge.js';
import './setup.js';

const YAML = 'services:\n  api:\n    image: scaledeck/api:latest\n    ports: ["127.0.0.1:8090:8000"]\n  db:\n    image: postgres:16\n';

const plan: ComposeProjectView = {
  project: 'shop',
  file: 'compose.yaml',
  services: [
    {
      name: 'api',
      scale: true,
      reasons: ['serves HTTP on 8000'],
      warnings: ['container_name is dropped: replicas need their own names'],
      image: 'scaledeck/api:latest',
      containerPort: 8000,
      frontend: { host: '127.0.0.1', port: 8090 },
      service: 'shop.api',
      change: 'add',
    },
    { name: 'db', scale: false, reasons: ['keeps state in the volume data'], warnings: [], image: 'postgres:16', state: 'missing' },
  ],
  removes: ['shop.old'],
  composeUp: 'docker compose -f compose.yaml -p shop up -d db',
  applied: false,
};
const applied: ComposeProjectView = { ...plan, removes: [], applied: true, services: plan.services.map((s) => (s.scale ? { ...s, change: 'keep' as const } : s)) };

async function openPanel(bridge: FakeBridge) {
  const user = userEvent.setup();
  render(<App api={bridge} />);
  await user.click(await screen.findByRole('button', { name: 'Compose' }));
  const panel = screen.getByRole('region', { name: 'Compose' });
  return { user, panel };
}

async function uploadPlan(bridge: FakeBridge, answer = plan) {
  bridge.answer('planCompose', () => ({ result: answer }));
  const opened = await openPanel(bridge);
  await opened.user.upload(within(opened.panel).getByLabelText('Compose file'), new File([YAML], 'compose.yaml', { type: 'application/yaml' }));
  await within(opened.panel).findByRole('table', { name: 'Plan for shop' });
  return opened;
}

const cellsOf = (table: HTMLElement, name: string) =>
  Array.from(within(table).getByRole('rowheader', { name }).closest('tr')!.querySelectorAll('th, td')).map((cell) => cell.textContent);

describe('Compose panel', () => {
  it('plans a file without name: under the project name typed, and again when it changes', async () => {
    const bridge = new FakeBridge();
    bridge.answer('planCompose', () => ({ result: plan }));
    const { user, panel } = await openPanel(bridge);
    await user.type(within(panel).getByLabelText('Project name'), 'shop');
    await user.upload(within(panel).getByLabelText('Compose file'), new File([YAML], 'compose.yaml', { type: 'application/yaml' }));
    await within(panel).findByRole('table', { name: 'Plan for shop' });
    await user.clear(within(panel).getByLabelText('Project name'));
    await user.type(within(panel).getByLabelText('Project name'), 'store');
    await user.click(within(panel).getByRole('button', { name: 'Plan again' }));
    await waitFor(() => expect(bridge.callsOf('planCompose')).toHaveLength(2));
    expect(bridge.callsOf('planCompose')).toEqual([
      { yaml: YAML, fileName: 'compose.yaml', projectName: 'shop' },
      { yaml: YAML, fileName: 'compose.yaml', projectName: 'store' },
    ]);
  });

  it('opens from the overview and plans the picked file from its text and name', async () => {
    const bridge = new FakeBridge();
    const { panel } = await uploadPlan(bridge);
    expect(screen.getByRole('button', { name: 'Compose' }).getAttribute('aria-expanded')).toBe('true');
    expect(bridge.callsOf('planCompose')).toEqual([{ yaml: YAML, fileName: 'compose.yaml' }]);
    expect(within(panel).getByLabelText('Compose file').getAttribute('accept')).toContain('.yaml');

    const table = within(panel).getByRole('table', { name: 'Plan for shop' });
    expect(cellsOf(table, 'api')).toEqual([
      'api',
      'Scaled by ScaleDeck',
      'scaledeck/api:latest',
      '8000',
      '127.0.0.1:8090',
      'Adds it',
      'serves HTTP on 8000Warning: container_name is dropped: replicas need their own names',
    ]);
    expect(cellsOf(table, 'db')).toEqual(['db', 'Left to Compose', 'postgres:16', '–', '–', 'Leaves it to Compose (missing)', 'keeps state in the volume data']);
    expect(within(panel).getByText(/Applying removes the service/).textContent).toContain('shop.old');
    expect(within(panel).getAllByText(plan.composeUp!, { selector: 'code' })).toHaveLength(1);
    // A plan starts nothing.
    expect(bridge.callsOf('applyCompose')).toEqual([]);
  });

  it('applies with the very input it planned, then shows the project among the applied ones', async () => {
    const bridge = new FakeBridge();
    const { user, panel } = await uploadPlan(bridge);
    bridge.answer('applyCompose', () => ({ result: applied }));
    bridge.answer('getComposeProjects', () => ({ result: bridge.callsOf('applyCompose').length > 0 ? [applied] : [] }));
    await user.click(within(panel).getByRole('button', { name: 'Apply plan' }));

    expect(bridge.callsOf('applyCompose')).toEqual(bridge.callsOf('planCompose'));
    await within(panel).findByRole('article', { name: /shop/ });
    expect(within(panel).getByText('Applied shop.').getAttribute('role')).toBe('status');
    expect(cellsOf(within(panel).getByRole('table', { name: 'Plan for shop' }), 'api')[5]).toBe('Keeps it (nothing changed)');
  });

  it('shows a refusal with the field it names in an alert, and changes nothing else', async () => {
    const bridge = new FakeBridge();
    const { user, panel } = await uploadPlan(bridge);
    bridge.answer('applyCompose', () => ({ error: 'compose.yaml: services.api.ports: 127.0.0.1:8090 is the frontend of the service web', field: 'services.api.ports' }));
    await user.click(within(panel).getByRole('button', { name: 'Apply plan' }));

    const alert = await within(panel).findByRole('alert');
    expect(alert.textContent).toBe('compose.yaml: services.api.ports: 127.0.0.1:8090 is the frontend of the service web');
    // The plan stays as it was, ready to apply once the file is fixed; no project appeared.
    expect(within(panel).getByRole('table', { name: 'Plan for shop' })).toBeTruthy();
    expect(within(panel).getByRole('button', { name: 'Apply plan' })).toBeTruthy();
    expect(within(panel).getByText('No Compose project applied yet.')).toBeTruthy();
  });

  it('names the field of a refused plan when the message does not, and shows no plan', async () => {
    const bridge = new FakeBridge();
    bridge.answer('planCompose', () => ({ error: 'a relative path, and no project folder was given to resolve it against', field: 'services.api.build.context' }));
    const { user, panel } = await openPanel(bridge);
    // The keyboard is where a person starts.
    expect(document.activeElement).toBe(within(panel).getByLabelText('Compose file'));
    await user.upload(within(panel).getByLabelText('Compose file'), new File([YAML], 'compose.yml'));

    expect((await within(panel).findByRole('alert')).textContent).toBe(
      'a relative path, and no project folder was given to resolve it against (field: services.api.build.context)',
    );
    expect(within(panel).queryByRole('button', { name: 'Apply plan' })).toBeNull();
  });

  it('shows what an applied project leaves to Compose read-only, with its state and the command that starts it', async () => {
    const bridge = new FakeBridge(makeServicesSnapshot([viewOf('web', makeSnapshot()), viewOf('shop.api', makeSnapshot(), { project: 'shop' })]));
    bridge.answer('getComposeProjects', () => ({ result: [applied] }));
    const { user, panel } = await openPanel(bridge);

    const project = await within(panel).findByRole('article', { name: /shop/ });
    const left = within(project).getByRole('table', { name: 'Services of shop left to Compose' });
    expect(cellsOf(left, 'db')).toEqual(['db', 'missing', 'postgres:16']);
    // Read-only: nothing there starts, stops or changes it.
    expect(within(left).queryAllByRole('button')).toEqual([]);
    expect(within(project).getByText(applied.composeUp!, { selector: 'code' })).toBeTruthy();
    // The overview says where the service came from; the project's button shows its cockpit.
    const overview = screen.getByRole('region', { name: /Services/ });
    expect(within(overview).getByRole('button', { name: 'shop.api' }).closest('th')!.textContent).toBe('shop.apifrom shop');
    await user.click(within(project).getByRole('button', { name: 'Show shop.api' }));
    expect(within(overview).getByRole('button', { name: 'shop.api' }).getAttribute('aria-current')).toBe('true');
  });

  it('removes a project only once confirmed: Cancel has the focus and asks nothing of the control plane', async () => {
    const bridge = new FakeBridge(makeServicesSnapshot([viewOf('web', makeSnapshot()), viewOf('shop.api', makeSnapshot(), { project: 'shop' })]));
    let projects = [applied];
    bridge.answer('getComposeProjects', () => ({ result: projects }));
    bridge.answer('removeCompose', () => {
      projects = [];
      return { result: { removed: ['shop.api'] } };
    });
    const { user, panel } = await openPanel(bridge);
    const remove = await within(panel).findByRole('button', { name: 'Remove project shop' });

    await user.click(remove);
    const confirm = within(panel).getByRole('group', { name: 'Confirm removing project shop' });
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Cancel' }));
    await user.keyboard('{Enter}');
    expect(within(panel).queryByRole('group', { name: /Confirm removing/ })).toBeNull();
    expect(document.activeElement).toBe(remove);
    expect(bridge.callsOf('removeCompose')).toEqual([]);

    await user.click(remove);
    await user.click(within(panel).getByRole('button', { name: 'Remove shop' }));
    expect(bridge.callsOf('removeCompose')).toEqual([{ project: 'shop' }]);
    await within(panel).findByText('No Compose project applied yet.');
    expect(within(screen.getByRole('region', { name: /Services/ })).queryByRole('button', { name: 'shop.api' })).toBeNull();
  });

  it('opens and plans a file handed over by the desktop menu, with its folder', async () => {
    const bridge = new FakeBridge() as FakeBridge & ComposeFileSource;
    let deliver: ((input: ComposeInput) => void) | undefined;
    bridge.onComposeFile = (listener) => {
      deliver = listener;
      return () => (deliver = undefined);
    };
    bridge.answer('planCompose', () => ({ result: plan }));
    render(<App api={bridge} />);
    await screen.findByRole('button', { name: 'Compose' });
    expect(screen.queryByRole('region', { name: 'Compose' })).toBeNull();

    const input = { yaml: YAML, projectDir: '/home/ada/shop', fileName: '/home/ada/shop/compose.yaml' };
    act(() => deliver!(input));
    const panel = screen.getByRole('region', { name: 'Compose' });
    await within(panel).findByRole('table', { name: 'Plan for shop' });
    expect(bridge.callsOf('planCompose')).toEqual([input]);
    expect(within(panel).getByText('Planned: /home/ada/shop/compose.yaml in /home/ada/shop')).toBeTruthy();

    // Closed and opened again, the panel starts from its file input instead of planning the file again.
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Compose' }));
    await user.click(screen.getByRole('button', { name: 'Compose' }));
    expect(within(screen.getByRole('region', { name: 'Compose' })).queryByRole('table', { name: 'Plan for shop' })).toBeNull();
    expect(bridge.callsOf('planCompose')).toHaveLength(1);
  });

  it('reads the applied projects again every few seconds while open, and no more once closed', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const bridge = new FakeBridge();
      const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
      render(<App api={bridge} />);
      await user.click(await screen.findByRole('button', { name: 'Compose' }));
      await waitFor(() => expect(bridge.callsOf('getComposeProjects')).toHaveLength(1));
      await act(async () => vi.advanceTimersByTime(PROJECTS_REFRESH_MS * 2));
      expect(bridge.callsOf('getComposeProjects')).toHaveLength(3);

      await user.click(screen.getByRole('button', { name: 'Compose' }));
      expect(screen.queryByRole('region', { name: 'Compose' })).toBeNull();
      await act(async () => vi.advanceTimersByTime(PROJECTS_REFRESH_MS * 3));
      expect(bridge.callsOf('getComposeProjects')).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
