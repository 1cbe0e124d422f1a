// The SDK's error classes. They are JavaScript classes, not Rust types,
// because callers test them with `instanceof` and read `err.name`, which only
// a real `Error` subclass gives. They are defined once per page and kept on
// a page-wide key, so every copy of the SDK on the page (the loader, the
// lazily loaded runtime that throws them from Rust, the ES module and the
// script tag, two bundles of one app) hands out the very same classes.
const KEY = Symbol.for('kombo-connect-wasm.errors.v1');

// Each class is a property of one object literal, so it is named after its
// key (`KomboConnectCancelledError.name`, `err.constructor.name`, what
// loggers and error trackers print) even after minification, which renames
// class declarations but never property keys.
function define() {
  return {
    KomboConnectAlreadyOpenError: class extends Error {
      constructor(message) {
        super(message);
        this.name = 'KomboConnectAlreadyOpenError';
      }
    },

    KomboConnectCancelledError: class extends Error {
      constructor(message) {
        super(message);
        this.name = 'KomboConnectCancelledError';
      }
    },

    // `stage` says which request failed ('init' or 'activate'), `status` is
    // the HTTP status when there was a response, and `activationToken` is set
    // when the user had finished the flow, so the app can retry activation.
    KomboConnectRequestError: class extends Error {
      constructor(message, stage, status, activationToken) {
        super(message);
        this.name = 'KomboConnectRequestError';
        this.stage = stage;
        if (status !== undefined) this.status = status;
        if (activationToken !== undefined) this.activationToken = activationToken;
      }
    },

    // `reason`: 'timeout' (no sign of life within `loadTimeoutMs`), 'csp' (this
    // page's Content-Security-Policy does not allow the flow in frame-src),
    // 'replaced' (page code took the frame away) or 'sdk' (the SDK's own files
    // did not load).
    KomboConnectLoadError: class extends Error {
      constructor(message, reason) {
        super(message);
        this.name = 'KomboConnectLoadError';
        this.reason = reason;
      }
    },
  };
}

export const {
  KomboConnectAlreadyOpenError,
  KomboConnectCancelledError,
  KomboConnectRequestError,
  KomboConnectLoadError,
} = (globalThis[KEY] ??= define());
