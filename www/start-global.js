// Classic-script page: the SDK is the global KomboConnect.
window.startDemo(window.KomboConnect);
