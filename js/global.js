// The classic-script build: `<script src=".../kombo-connect.global.js">`
// defines `window.KomboConnect` with the package's exports, or hands them to
// the page's CommonJS or AMD loader, like the reference's UMD build, and
// finds its other files next to itself.
import {
  KomboConnectAlreadyOpenError, KomboConnectCancelledError, KomboConnectLoadError, KomboConnectRequestError,
  connect, connectAssessment, connectAts, connectHris, connectLms, prefetch, reconnect, showKomboConnect,
} from './index.js';

const api = {
  KomboConnectAlreadyOpenError, KomboConnectCancelledError, KomboConnectLoadError, KomboConnectRequestError,
  connect, connectAssessment, connectAts, connectHris, connectLms, prefetch, reconnect, showKomboConnect,
};

// Like the reference's UMD build: a CommonJS or AMD loader on the page gets
// the API as its module, and a plain page gets the global.
/* global module, define */
if (typeof module == 'object' && module.exports) module.exports = api;
else if (typeof define == 'function' && define.amd) define([], () => api);
else globalThis.KomboConnect = api;
