// The SDK's error classes. They are JavaScript classes, not Rust types,
// because callers test them with `instanceof` and read `err.name`, which only
// a real `Error` subclass gives. The Rust side imports these very classes
// (src/error.rs), so an error made in Rust is an instance of the class a
// page imports from the package.

/** Thrown when a Kombo Connect flow is already open. */
export class KomboConnectAlreadyOpenError extends Error {
  constructor(message) {
    super(message);
    this.name = 'KomboConnectAlreadyOpenError';
  }
}

/** Thrown when the user closes the flow, or the page removes it, before it completes. */
export class KomboConnectCancelledError extends Error {
  constructor(message) {
    super(message);
    this.name = 'KomboConnectCancelledError';
  }
}

/**
 * Thrown by `connect()` and its shortcuts when a request to your back-end
 * fails. `stage` says which one ('init' or 'activate'), `status` is the HTTP
 * status when there was a response, and `activationToken` is set when the
 * user had finished the flow, so the app can retry activation.
 */
export class KomboConnectRequestError extends Error {
  constructor(message, stage, status, activationToken) {
    super(message);
    this.name = 'KomboConnectRequestError';
    this.stage = stage;
    if (status !== undefined) this.status = status;
    if (activationToken !== undefined) this.activationToken = activationToken;
  }
}

/**
 * Thrown when the flow's page does not load: `reason` is 'timeout' (no
 * `load` within `loadTimeoutMs`) or 'csp' (this page's
 * Content-Security-Policy does not allow the link's origin in frame-src).
 */
export class KomboConnectLoadError extends Error {
  constructor(message, reason) {
    super(message);
    this.name = 'KomboConnectLoadError';
    this.reason = reason;
  }
}
