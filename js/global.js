// The classic-script build: `<script src=".../kombo-connect.global.js">`
// defines `window.KomboConnect` with the package's exports, like the
// reference's UMD build, and finds its other files next to itself.
import {
  KomboConnectAlreadyOpenError, KomboConnectCancelledError, KomboConnectLoadError, KomboConnectRequestError,
  connect, connectAssessment, connectAts, connectHris, connectLms, prefetch, showKomboConnect,
} from './index.js';

globalThis.KomboConnect = {
  KomboConnectAlreadyOpenError, KomboConnectCancelledError, KomboConnectLoadError, KomboConnectRequestError,
  connect, connectAssessment, connectAts, connectHris, connectLms, prefetch, showKomboConnect,
};
