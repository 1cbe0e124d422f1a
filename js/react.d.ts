import type { ConnectOptions, ConnectResult, KomboIntegrationCategory } from './index.js';

/** Where a `useKomboConnect` run is. */
export type KomboConnectStatus = 'idle' | 'connecting' | 'connected' | 'cancelled' | 'error';

/**
 * React 18/19: runs `connect(category, options)` on `start()`. Unmounting
 * (React StrictMode's test unmount included), `cancel()` or a second
 * `start()` aborts the running flow, so it never outlives the component
 * and never meets "already open". Leave your button enabled while it runs,
 * so focus can come back to it when the flow closes.
 */
export declare function useKomboConnect(category?: KomboIntegrationCategory, options?: Omit<ConnectOptions, 'signal'>): {
  status: KomboConnectStatus;
  /** `connect()`'s result once connected. */
  result: ConnectResult | null;
  /** Why the run failed (`status === 'error'`); a cancel is not an error. */
  error: Error | null;
  start(): Promise<void>;
  cancel(): void;
};
