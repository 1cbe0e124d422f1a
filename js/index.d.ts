/**
 * Thrown when attempting to open a Kombo Connect modal while another one is already open.
 */
export declare class KomboConnectAlreadyOpenError extends Error {
  constructor(message: string);
}

/**
 * Thrown when the user closes the Kombo Connect modal without completing the flow,
 * or when the page removes the iframe (or its container) while the flow is open.
 */
export declare class KomboConnectCancelledError extends Error {
  constructor(message: string);
}

/**
 * Rejected when the flow's page does not load, instead of leaving a blank
 * screen. Not in `@kombo-api/connect`.
 */
export declare class KomboConnectLoadError extends Error {
  constructor(message: string, reason: 'timeout' | 'csp' | 'replaced' | 'sdk');
  /**
   * `'timeout'`: no sign of life from the flow (its `load`, or a message)
   * within `loadTimeoutMs`. `'csp'`: this page's Content-Security-Policy
   * does not allow the link's origin in `frame-src` (the message names the
   * origin to add). `'replaced'`: a script on the page changed the frame's
   * `src` or navigated it away (consent managers do). `'sdk'`: this SDK's
   * own files did not load within `loadTimeoutMs` (404, an HTML page
   * instead of the `.wasm`, a network error); the message names the URL,
   * and the next call tries again.
   */
  readonly reason: 'timeout' | 'csp' | 'replaced' | 'sdk';
}

/**
 * A lifecycle event, given to `onEvent`. Never carries a token, so it can go
 * to any analytics tool as it is.
 */
export interface KomboConnectEvent {
  /**
   * `open`, `loaded` (the flow's page loaded), then `success`, `cancel`, `error` (a
   * {@link KomboConnectLoadError}) or `abort`, then `close`; from {@link connect} also
   * `init-start`, `init-done`, `activate-start`, `activate-done`, and `error`, `cancel` or
   * `abort` while a request runs.
   */
  type:
    | 'open' | 'loaded' | 'success' | 'cancel' | 'error' | 'abort' | 'close'
    | 'init-start' | 'init-done' | 'activate-start' | 'activate-done';
  /** `Date.now()` when it happened. */
  timestamp: number;
}

/**
 * Options for {@link showKomboConnect}.
 */
export interface ShowKomboConnectOptions {
  /**
   * The DOM element the iframe should be appended to. Defaults to
   * `document.body`. Useful when launching Kombo Connect from inside a
   * modal that traps focus to its own subtree, so the iframe stays
   * inside the focus container and remains interactive.
   */
  container?: HTMLElement;
  /**
   * Aborting it closes the flow (iframe removed, focus restored) and rejects
   * with an `AbortError` `DOMException`: the way to close the flow from code,
   * e.g. in a React `useEffect` cleanup. Not in `@kombo-api/connect`.
   */
  signal?: AbortSignal;
  /**
   * Called with each {@link KomboConnectEvent}; the Promise settles as before.
   * Exceptions thrown here are ignored. Not in `@kombo-api/connect`.
   */
  onEvent?: (event: KomboConnectEvent) => void;
  /**
   * Draw a loading state (a spinner on a dimmed backdrop, with a close button; Escape closes it
   * too) until the flow has loaded. Default `true`; `false` shows nothing until the flow's own
   * page paints, as `@kombo-api/connect` does.
   */
  loading?: boolean;
  /**
   * Reject with a {@link KomboConnectLoadError} if the flow has not loaded by then, in
   * milliseconds. Default 20,000; `0` waits forever.
   */
  loadTimeoutMs?: number;
}

/**
 * Opens the Kombo Connect flow in a full-screen iframe and waits for the user to complete it.
 *
 * @param url - The Kombo Connect link from your back-end (Kombo's create-link endpoint).
 *   Must be `https:` (`http:` is accepted for localhost only).
 * @param options - Optional configuration. See {@link ShowKomboConnectOptions}.
 * @returns A Promise that resolves with the activation token when the user completes the flow.
 * @throws {KomboConnectAlreadyOpenError} If a Kombo Connect flow is already open.
 * @throws {KomboConnectCancelledError} If the user closes the flow, or the page removes it.
 * @throws {TypeError} If `url` is not an absolute https link (nothing is opened).
 * @throws {Error} If `options.container` is provided but not attached to the document.
 * @throws {DOMException} Named `AbortError`, when `options.signal` aborts.
 * @throws {KomboConnectLoadError} If the flow does not load (time-out, or blocked by this page's CSP).
 *
 * @example
 * ```ts
 * import { showKomboConnect, KomboConnectCancelledError } from 'kombo-connect-wasm';
 * try {
 *   const token = await showKomboConnect(link);
 *   await fetch('/integrations/kombo/activate', {
 *     method: 'POST',
 *     headers: { 'Content-Type': 'application/json' },
 *     body: JSON.stringify({ token }),
 *   });
 * } catch (err) {
 *   if (!(err instanceof KomboConnectCancelledError)) throw err;
 * }
 * ```
 */
export declare function showKomboConnect(url: string, options?: ShowKomboConnectOptions): Promise<string>;

/** The integration categories Kombo's create-link endpoint accepts. */
export type KomboIntegrationCategory = 'HRIS' | 'ATS' | 'ASSESSMENT' | 'LMS';

/**
 * Thrown by {@link connect} and its shortcuts when a request to your back-end fails:
 * an HTTP error, a response that is not JSON or has no `link`, a time-out or a network error.
 */
export declare class KomboConnectRequestError extends Error {
  constructor(message: string, stage: 'init' | 'activate', status?: number, activationToken?: string);
  /** Which request failed: `'init'` (getting the link, from the init or relink route) or `'activate'` (sending the token). */
  readonly stage: 'init' | 'activate';
  /** The HTTP status; absent for network errors and time-outs. */
  readonly status?: number;
  /**
   * Set when activation failed after the user finished the flow: the token is
   * still valid, so you can retry activation or log it.
   */
  readonly activationToken?: string;
}

/** Options for {@link connect} and its shortcuts. */
export interface ConnectOptions extends FlowRequestOptions {
  /** Your back-end route that returns `{ link }` (or Kombo's `{ data: { link } }`). Default `'/integrations/kombo/init'`. */
  initUrl?: string;
}

/** Options for {@link reconnect}. */
export interface ReconnectOptions extends FlowRequestOptions {
  /**
   * Your back-end route that receives `{ integration_id, ...initBody }`, calls Kombo's
   * `POST /v1/integrations/{integration_id}/relink` and returns `{ link }`. Default
   * `'/integrations/kombo/relink'`.
   */
  relinkUrl?: string;
}

/** What {@link connect} and {@link reconnect} share. */
export interface FlowRequestOptions {
  /**
   * Your back-end route that receives `{ token }`. Default `'/integrations/kombo/activate'`.
   * `false` skips activation, for apps that activate from Kombo's webhook instead. Activation is
   * also skipped when the init (or relink) response has `"activate": false`, and when a
   * reconnection's flow ends without a token.
   */
  activateUrl?: string | false;
  /** Extra JSON fields for the init (or relink) request, e.g. `{ integration_tool: 'personio', language: 'de' }`. */
  initBody?: Record<string, unknown>;
  /**
   * The origin Kombo serves the flow from. Default `'https://connect.kombo.dev'`; set it for
   * another region or a mock flow. While the init request runs, the browser connects to it
   * (`<link rel="preconnect">`), so the flow's first request does not wait for DNS, TCP and TLS.
   * When given, a link from any other origin is refused with a `TypeError` (a misconfigured or
   * compromised back-end cannot point the flow elsewhere).
   */
  flowOrigin?: string;
  /** Headers for both requests, e.g. a CSRF token or an `Authorization` header. */
  headers?: HeadersInit;
  /** Cookies policy for both requests. Default `'same-origin'`. */
  credentials?: RequestCredentials;
  /** Passed to {@link showKomboConnect}. */
  container?: HTMLElement;
  /** Aborting stops the running request or closes the flow, and rejects with an `AbortError` `DOMException`. */
  signal?: AbortSignal;
  /** Time-out of each request, in milliseconds. Default 30,000; `0` waits forever. */
  timeoutMs?: number;
  /** Called with each {@link KomboConnectEvent}, from `init-start` to `activate-done`. */
  onEvent?: (event: KomboConnectEvent) => void;
  /**
   * The loading state of {@link ShowKomboConnectOptions.loading}, shown from the moment of the
   * call, while the init request runs; its close button (or Escape) then cancels that request
   * and rejects with {@link KomboConnectCancelledError}. Default `true`.
   */
  loading?: boolean;
  /** See {@link ShowKomboConnectOptions.loadTimeoutMs}. Default 20,000. */
  loadTimeoutMs?: number;
}

/** What {@link connect} and {@link reconnect} resolve with. */
export interface ConnectResult {
  /** The token the flow produced (already sent to `activateUrl`, unless that is `false`). */
  activationToken: string;
  /** The parsed JSON body of the activate response; `null` for an empty body or when `activateUrl` is `false`. */
  activation: unknown;
}

/**
 * The whole embedded flow against your back-end: `POST initUrl` with
 * `{ integration_category, ...initBody }` for a link, {@link showKomboConnect},
 * then `POST activateUrl` with `{ token }`. Both requests send JSON.
 *
 * @throws {TypeError} For an unknown category or a wrong option, before any request.
 * @throws {KomboConnectAlreadyOpenError} If a flow is open or another `connect()` is running (no request is sent).
 * @throws {KomboConnectCancelledError} If the user closes the flow (activation is not called).
 * @throws {KomboConnectRequestError} If a request fails.
 * @throws {DOMException} Named `AbortError`, when `options.signal` aborts.
 * @throws {KomboConnectLoadError} If the flow does not load (time-out, or blocked by this page's CSP).
 *
 * @example
 * ```ts
 * import { connectHris, KomboConnectCancelledError } from 'kombo-connect-wasm';
 * button.onclick = async () => {
 *   try {
 *     const { activation } = await connectHris({ headers: { 'X-CSRF-Token': csrf } });
 *     showConnected(activation);
 *   } catch (err) {
 *     if (!(err instanceof KomboConnectCancelledError)) showError(err);
 *   }
 * };
 * ```
 */
export declare function connect(category: KomboIntegrationCategory, options?: ConnectOptions): Promise<ConnectResult>;
/** {@link connect} with `'HRIS'`. */
export declare function connectHris(options?: ConnectOptions): Promise<ConnectResult>;
/** {@link connect} with `'ATS'`. */
export declare function connectAts(options?: ConnectOptions): Promise<ConnectResult>;
/** {@link connect} with `'ASSESSMENT'`. */
export declare function connectAssessment(options?: ConnectOptions): Promise<ConnectResult>;
/** {@link connect} with `'LMS'`. */
export declare function connectLms(options?: ConnectOptions): Promise<ConnectResult>;

/** What {@link reconnect} resolves with. */
export interface ReconnectResult {
  /**
   * The token the flow produced (already sent to `activateUrl`, unless that is `false`);
   * `null` when the reconnection flow ended without one (activation is then skipped).
   */
  activationToken: string | null;
  /** The parsed JSON body of the activate response; `null` when activation was skipped. */
  activation: unknown;
}

/**
 * Reconnects an integration whose credentials expired or changed: `POST relinkUrl` with
 * `{ integration_id, ...initBody }` for a link (your back-end calls Kombo's relink endpoint),
 * the flow, then `POST activateUrl` with `{ token }` when the flow produced one. Same options,
 * errors, events, time-outs, abort and loading state as {@link connect}.
 *
 * @param integrationId - Kombo's id of the integration, as your back-end stored it from activation.
 * @throws {TypeError} For a missing integration id or a wrong option, before any request.
 *
 * @example
 * ```ts
 * import { reconnect, KomboConnectCancelledError } from 'kombo-connect-wasm';
 * reconnectButton.onclick = async () => {
 *   try {
 *     await reconnect(integration.id);
 *     showReconnected();
 *   } catch (err) {
 *     if (!(err instanceof KomboConnectCancelledError)) showError(err);
 *   }
 * };
 * ```
 */
export declare function reconnect(integrationId: string, options?: ReconnectOptions): Promise<ReconnectResult>;

/**
 * Fetches and compiles the `.wasm` now (on hover, on idle, on route change) so that the first
 * {@link showKomboConnect} or {@link connect} opens at once. Without it the `.wasm` loads when the
 * browser is idle after page load, or on the first call. Safe to call any number of times.
 */
export declare function prefetch(): Promise<void>;
