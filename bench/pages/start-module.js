import * as SDK from '/pkg/index.js';
window.SDK = SDK;
if (new URLSearchParams(location.search).has('cold')) window.B.coldCall();
