// Entry point: mounts the dashboard over the bridge for this window (Electron IPC or the headless shell).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { getBridge } from './bridge.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element to mount the dashboard in.');
createRoot(root).render(
  <StrictMode>
    <App api={getBridge()} />
  </StrictMode>,
);
