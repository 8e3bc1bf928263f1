// Hands the bridge to every component through React context, so tests can pass a fake one without touching window.
import { createContext, useContext } from 'react';
import type { ScaleDeckApi } from '../electron/contract/contract.js';

export const BridgeContext = createContext<ScaleDeckApi | null>(null);

export function useBridge(): ScaleDeckApi {
  const api = useContext(BridgeContext);
  if (!api) throw new Error('No ScaleDeck bridge: render the dashboard inside <BridgeContext.Provider>.');
  return api;
}
