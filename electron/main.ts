// Electron shell: one window over the control plane, commands over IPC, live updates pushed to the renderer. Thin.
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, session, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { applicationMenuTemplate } from './app-menu.js';
import { repoRootFrom, resolveAppPaths, type AppPaths } from './app-paths.js';
import { commandInputs, IPC_STREAM_CHANNEL, ipcChannel, type CommandName, type StreamMessage } from './contract.js';
import { createControlPlane } from './core/compose-control-plane.js';
import type { ControlPlane } from './core/control-plane.js';
import { dispatchCommand } from './dispatch.js';
import { isAllowedExternalUrl, isPermissionAllowed, isTrustedSender, rendererIndexUrl } from './web-security.js';
import { browserWindowOptions, CONTENT_SECURITY_POLICY } from './window-options.js';

/** Quitting drains and stops replicas; past this, the app exits anyway and the next start adopts what is left. */
const SHUTDOWN_TIMEOUT_MS = 60_000;

const log = (line: string) => console.log(`[scaledeck] ${line}`);

let mainWindow: BrowserWindow | null = null;

function createWindow(paths: AppPaths): BrowserWindow {
  const window = new BrowserWindow(browserWindowOptions(paths.preload, nativeTheme.shouldUseDarkColors));
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    mainWindow = null;
  });
  void window.loadFile(paths.rendererIndex);
  return window;
}

/** Every web page the app ever creates stays on our renderer: no navigation, no new windows, no webviews. */
function lockDownWebContents(controlPlane: ControlPlane): void {
  const openIfAllowed = (url: string) => {
    if (isAllowedExternalUrl(url, [controlPlane.frontendUrl(), controlPlane.statsUrl()])) void shell.openExternal(url);
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

function serveCommands(controlPlane: ControlPlane, paths: AppPaths): void {
  const trustedUrl = rendererIndexUrl(paths.rendererIndex);
  const isFromOurWindow = (event: IpcMainInvokeEvent) =>
    mainWindow !== null && event.sender.id === mainWindow.webContents.id && isTrustedSender(event.senderFrame?.url, trustedUrl);
  for (const command of Object.keys(commandInputs) as CommandName[]) {
    ipcMain.handle(ipcChannel(command), (event, input: unknown) => {
      if (!isFromOurWindow(event)) {
        log(`refused ${command} from ${event.senderFrame?.url ?? 'an unknown frame'}`);
        return { error: 'Refused: this command may only come from the ScaleDeck window.' };
      }
      return dispatchCommand(controlPlane, command, input);
    });
  }
  controlPlane.subscribe((message: StreamMessage) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC_STREAM_CHANNEL, message);
  });
}

function shutDownOnQuit(controlPlane: ControlPlane): void {
  let stopping = false;
  app.on('before-quit', (event) => {
    // Quitting waits for the control plane; app.exit below ends the process without coming back here.
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    const keepRunning = controlPlane.settings.keepRunningOnQuit;
    log(keepRunning ? 'quitting; HAProxy and the replicas keep serving' : 'quitting; stopping the replicas and HAProxy');
    const timeout = new Promise<never>((_resolve, reject) => {
      setTimeout(() => reject(new Error(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS / 1000} s`)), SHUTDOWN_TIMEOUT_MS).unref();
    });
    Promise.race([controlPlane.shutdown({ keepRunning }), timeout]).then(
      () => app.exit(0),
      (error: unknown) => {
        log(`shutdown did not finish cleanly (${error instanceof Error ? error.message : String(error)}); the next start adopts what still runs`);
        app.exit(1);
      },
    );
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
}

async function start(): Promise<void> {
  await app.whenReady();
  const paths = resolveAppPaths({
    appRoot: app.isPackaged ? app.getAppPath() : repoRootFrom(import.meta.url),
    packaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
  });
  const controlPlane = await createControlPlane({ dataDir: app.getPath('userData'), paths, log });
  lockDownWebContents(controlPlane);
  Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenuTemplate({ platform: process.platform, development: !app.isPackaged })));
  serveCommands(controlPlane, paths);
  shutDownOnQuit(controlPlane);

  mainWindow = createWindow(paths);
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('activate', () => {
    mainWindow ??= createWindow(paths);
  });
  // On macOS the app stays in the dock with its window closed; elsewhere closing the window quits.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

app.setName('ScaleDeck');
if (!app.requestSingleInstanceLock()) {
  // Another ScaleDeck already owns the data folder, HAProxy and the replicas; it was asked to show its window.
  app.quit();
} else {
  start().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    dialog.showErrorBox('ScaleDeck could not start', message);
    app.exit(1);
  });
}
