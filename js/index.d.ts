/**
 * Thrown when attempting to open a Kombo Connect modal while another one is already open.
 */
export declare class KomboConnectAlreadyOpenError extends Error {
  constructor(message: string);
  readonly name: 'KomboConnectAlreadyOpenError';
}

/**
 * Thrown when the user closes the Kombo Connect modal without completing the flow,
 * or when the page removes the iframe (or its container) while the flow is open.
 */
export declare class KomboConnectCancelledError extends Error {
  constructor(message: string);
  readonly name: 'KomboConnectCancelledError';
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
