// ES module page: the same UI, with the SDK imported from the package.
import * as KomboConnect from '/pkg/index.js';

window.startDemo(KomboConnect);
