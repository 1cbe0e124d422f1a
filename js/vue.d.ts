import type { Ref } from 'vue';
import type { ConnectOptions, ConnectResult, KomboIntegrationCategory } from './index.js';
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
