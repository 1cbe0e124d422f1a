import type { Ref } from 'vue';
import type { ConnectOptions, ConnectResult, KomboIntegrationCategory, ReconnectOptions, ReconnectResult } from './index.js';
import type { KomboConnectStatus } from './react.js';

export type { KomboConnectStatus };

/**
 * Vue 3, in `setup()`: runs `connect(category, options)` on `start()`.
 * Unmounting the component (its effect scope), `cancel()` or a second
 * `start()` aborts the running flow. Leave your button enabled while it
 * runs, so focus can come back to it when the flow closes.
 */
export declare function useKomboConnect(category?: KomboIntegrationCategory, options?: Omit<ConnectOptions, 'signal'>): {
  status: Ref<KomboConnectStatus>;
  result: Ref<ConnectResult | null>;
  error: Ref<Error | null>;
  start(): Promise<void>;
  cancel(): void;
};

/**
 * Vue 3, in `setup()`: runs `reconnect(integrationId, options)` on
 * `start(integrationId)`, for an integration whose credentials expired.
 * The same states and aborts as `useKomboConnect`.
 */
export declare function useKomboReconnect(options?: Omit<ReconnectOptions, 'signal'>): {
  status: Ref<KomboConnectStatus>;
  result: Ref<ReconnectResult | null>;
  error: Ref<Error | null>;
  start(integrationId: string): Promise<void>;
  cancel(): void;
};
