// Electron shell: one window over the control plane, commands over IPC, live updates pushed to the renderer. Thin.
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, net, protocol, session, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { applicationMenuTemplate } from './app-menu.js';
import { openComposeFile } from './open-compose-file.js';
import { desktopDataDir, repoRootFrom, resolveAppPaths, type AppPaths } from '../common/app-paths.js';
import { commandInputs, IPC_COMPOSE_FILE_CHANNEL, IPC_STREAM_CHANNEL, ipcChannel, type CommandName, type StreamMessage } from '../../contract/contract.js';
import { createControlPlane } from '../../core/compose-control-plane.js';
import type { ControlPlane } from '../../core/control-plane.js';
import { SettingsShape } from '../../contract/settings-schema.js';
import { dispatchCommand } from '../common/dispatch.js';
import { APP_SCHEME, isAllowedExternalUrl, isPermissionAllowed, isTrustedSender, RENDERER_URL, rendererFileFor } from './web-security.js';
import { statusPageUrl } from './status-page.js';
import {
  commandRefusal, initialLifecycle, nextLifecycle, shouldShutDown, windowMayClose, windowView, type LifecycleEvent, type LifecycleState,
} from './window-lifecycle.js';
import { browserWindowOptions, CONTENT_SECURITY_POLICY } from './window-options.js';
import { keepServingOnStrayErrors } from '../common/last-resort.js';

/** How often the stopping view recounts the replicas still draining. */
const DRAIN_PROGRESS_INTERVAL_MS = 500;
/** The longest drain a saved setting can ask for; the deadline of a quit that comes before the settings are read. */
const MAX_DRAIN_TIMEOUT_S = SettingsShape.shape.drainTimeoutS.maxValue ?? 600;

const log = (line: string) => console.log(`[scaledeck] ${line}`);

let mainWindow: BrowserWindow | null = null;
let controlPlane: ControlPlane | null = null;
let lifecycle: LifecycleState = initialLifecycle();
let showingDashboard = false;
let paths: AppPaths;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Moves the lifecycle on and makes the window show the new state; every change of phase goes through here. */
function advance(event: LifecycleEvent): void {
  const before = lifecycle;
  lifecycle = nextLifecycle(lifecycle, event);
  if (lifecycle !== before) showLifecycle();
  if (shouldShutDown(lifecycle) && !shouldShutDown(before)) void shutDown();
  if (lifecycle.phase === 'stopped' && before.phase !== 'stopped') {
    if (lifecycle.error) log(`stopped: ${lifecycle.error}; the next start adopts what still runs`);
    app.exit(lifecycle.error ? 1 : 0);
  }
}

function showLifecycle(): void {
  if (!mainWindow || mainWindow.isDestroyed()) return;
  const view = windowView(lifecycle, Date.now());
  // A newer view may replace a page still loading; the abandoned load's rejection says only that.
  const ignoreAbandoned = () => undefined;
  if (view.kind === 'dashboard') {
    if (!showingDashboard) mainWindow.loadURL(RENDERER_URL).catch(ignoreAbandoned);
    showingDashboard = true;
    return;
  }
  showingDashboard = false;
  mainWindow.loadURL(statusPageUrl(view.title, view.detail, nativeTheme.shouldUseDarkColors)).catch(ignoreAbandoned);
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(browserWindowOptions(paths.preload, nativeTheme.shouldUseDarkColors));
  window.once('ready-to-show', () => window.show());
  // Closing the window is a quit: it stays open, showing the drain, until the control plane has stopped.
  window.on('close', (event) => {
    if (windowMayClose(lifecycle)) return;
    event.preventDefault();
    app.quit();
  });
  window.on('closed', () => {
    mainWindow = null;
  });
  mainWindow = window;
  showingDashboard = false;
  showLifecycle();
  return window;
}

function focusWindow(): void {
  const window = mainWindow ?? createWindow();
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

/** Every web page the app ever creates stays on our renderer: no navigation, no new windows, no webviews. */
function lockDownWebContents(): void {
  const openIfAllowed = (url: string) => {
    const allowed = controlPlane ? [controlPlane.frontendUrl(), controlPlane.statsUrl()] : [];
    if (isAllowedExternalUrl(url, allowed)) void shell.openExternal(url);
    else log(`blocked a request to open ${url}`);
  };
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      event.preventDefault();
      openIfAllowed(url);
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      openIfAllowed(url);
      return { action: 'deny' };
    });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(isPermissionAllowed(permission)));
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission));
  // index.html has its own policy in a meta tag (it also serves the headless shell); both apply, so the stricter wins here.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

/** The renderer's own origin: app://scaledeck/ serves the built renderer's files and nothing else. */
function serveRendererFiles(): void {
  const rendererDir = dirname(paths.rendererIndex);
  protocol.handle(APP_SCHEME, (request) => {
    const file = rendererFileFor(request.url, rendererDir);
    return file ? net.fetch(pathToFileURL(file).href) : new Response('Not found', { status: 404 });
  });
}

/** Handlers exist from the first moment, so a call before the start or during the stop gets a refusal, not a hang. */
function serveCommands(): void {
  const isFromOurWindow = (event: IpcMainInvokeEvent) =>
    mainWindow !== null && event.sender.id === mainWindow.webContents.id && isTrustedSender(event.senderFrame?.url);
  for (const command of Object.keys(commandInputs) as CommandName[]) {
    ipcMain.handle(ipcChannel(command), (event, input: unknown) => {
      if (!isFromOurWindow(event)) {
        log(`refused ${command} from ${event.senderFrame?.url ?? 'an unknown frame'}`);
        return { error: 'Refused: this command may only come from the ScaleDeck window.' };
      }
      const refusal = commandRefusal(lifecycle);
      if (refusal || !controlPlane) return refusal ?? { error: 'ScaleDeck is still starting' };
      return dispatchCommand(controlPlane, command, input);
    });
  }
}

function forwardStream(plane: ControlPlane): void {
  plane.subscribe((message: StreamMessage) => {
    if (mainWindow && !mainWindow.isDestroyed() && showingDashboard) mainWindow.webContents.send(IPC_STREAM_CHANNEL, message);
  });
}

/** The menu's "Open Compose file…": the window's Compose panel opens with the file and plans it. */
function openComposeFromMenu(): void {
  const window = mainWindow;
  if (!window || window.isDestroyed()) return;
  void openComposeFile({
    pick: async () => {
      const picked = await dialog.showOpenDialog(window, {
        title: 'Open Compose file',
        properties: ['openFile'],
        filters: [{ name: 'Compose files', extensions: ['yaml', 'yml'] }],
      });
      return picked.canceled ? undefined : picked.filePaths[0];
    },
    send: (input) => {
      if (window.isDestroyed() || !showingDashboard) return false;
      window.webContents.send(IPC_COMPOSE_FILE_CHANNEL, input);
      return true;
    },
    fail: (message) => dialog.showErrorBox('Could not open the Compose file', message),
  });
}

function requestQuit(): void {
  const settings = controlPlane?.settings;
  advance({
    type: 'quitRequested',
    nowMs: Date.now(),
    // Before the control plane exists its settings are unknown: the schema's maximum keeps the deadline safe.
    drainTimeoutS: settings?.drainTimeoutS ?? MAX_DRAIN_TIMEOUT_S,
    replicas: controlPlane?.snapshot().replicas.length ?? 0,
    keepRunning: settings?.keepRunningOnQuit ?? false,
  });
}

async function shutDown(): Promise<void> {
  if (lifecycle.phase !== 'stopping' || !controlPlane) return;
  const plane = controlPlane;
  const { keepRunning, deadlineMs } = lifecycle;
  log(keepRunning ? 'quitting; HAProxy and the replicas keep serving' : 'quitting; draining and stopping the replicas, then HAProxy');
  const deadline = setTimeout(() => advance({ type: 'deadlinePassed' }), Math.max(0, deadlineMs - Date.now()));
  const progress = setInterval(() => advance({ type: 'draining', replicas: plane.snapshot().replicas.length }), DRAIN_PROGRESS_INTERVAL_MS);
  try {
    await plane.shutdown({ keepRunning });
    advance({ type: 'stopped' });
  } catch (error) {
    log(`shutdown did not finish cleanly (${describe(error)})`);
    advance({ type: 'deadlinePassed' });
  } finally {
    clearTimeout(deadline);
    clearInterval(progress);
  }
}

/** Registered before anything slow, so a quit or a second launch during the start is never lost. */
function handleAppEvents(): void {
  app.on('second-instance', focusWindow);
  app.on('activate', focusWindow);
  app.on('before-quit', (event) => {
    // Quitting waits for the lifecycle; app.exit ends the process without coming back here.
    event.preventDefault();
    requestQuit();
  });
  app.on('window-all-closed', () => app.quit());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
}

async function start(): Promise<void> {
  await app.whenReady();
  paths = resolveAppPaths({
    appRoot: app.isPackaged ? app.getAppPath() : repoRootFrom(import.meta.url),
    packaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
  });
  handleAppEvents();
  serveRendererFiles();
  lockDownWebContents();
  Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenuTemplate({ platform: process.platform, development: !app.isPackaged, onOpenCompose: openComposeFromMenu })));
  serveCommands();
  createWindow();

  keepServingOnStrayErrors(log);
  const dataDir = desktopDataDir(process.env, app.getPath('userData'));
  const plane = await createControlPlane({
    dataDir,
    paths,
    log: (line) => {
      log(line);
      advance({ type: 'progress', step: line });
    },
  });
  controlPlane = plane;
  forwardStream(plane);
  advance({ type: 'started' });
}

app.setName('ScaleDeck');
// Before the app is ready: the renderer's origin is a standard, secure one, so 'self' and fetch work as on the web.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
if (!app.requestSingleInstanceLock()) {
  // Another ScaleDeck already owns the data folder, HAProxy and the replicas; it was asked to show its window.
  app.quit();
} else {
  start().catch((error: unknown) => {
    const message = describe(error);
    dialog.showErrorBox('ScaleDeck could not start', message);
    advance({ type: 'startFailed', error: message });
  });
}
