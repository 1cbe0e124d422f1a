import * as SDK from '/pkg/index.js';
window.SDK = SDK;
