import type { ConnectOptions, ConnectResult, KomboIntegrationCategory, ReconnectOptions, ReconnectResult } from './index.js';

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

/**
 * React 18/19: runs `reconnect(integrationId, options)` on
 * `start(integrationId)`, for an integration whose credentials expired.
 * The same states and aborts as `useKomboConnect`.
 */
export declare function useKomboReconnect(options?: Omit<ReconnectOptions, 'signal'>): {
  status: KomboConnectStatus;
  /** `reconnect()`'s result once reconnected. */
  result: ReconnectResult | null;
  /** Why the run failed (`status === 'error'`); a cancel is not an error. */
  error: Error | null;
  start(integrationId: string): Promise<void>;
  cancel(): void;
};
