// Types of kombo-connect-wasm/testing: the package's API, plus the test controls.
export * from './index.js';

/** What the next flow does. */
export type KomboConnectTestOutcome =
  | { type: 'success'; token?: string | null; activation?: unknown }
  | { type: 'cancel' }
  | { type: 'error'; error: Error }
  | { type: 'pending' };

/** One call the app made. */
export interface KomboConnectTestCall {
  fn: 'showKomboConnect' | 'connect' | 'reconnect';
  url?: string;
  category?: string;
  integrationId?: string;
  options?: object;
}

/** Scripts the test double and records what the app asked of it. */
export declare const komboConnectTest: {
  readonly calls: KomboConnectTestCall[];
  /** The outcome of the next flow; without one, flows succeed with `'test_activation_token'`. */
  nextOutcome(outcome: KomboConnectTestOutcome): void;
  /** Forgets scripted outcomes and calls; closes a pending flow. */
  reset(): void;
};

/** HTML for a fake Connect flow page that posts the outcome's message at once (browser tests). */
export declare function flowPage(outcome?: { type: 'success'; token?: string } | { type: 'cancel' }): string;
