window.SDK = window.KomboConnect;
if (new URLSearchParams(location.search).has('cold')) window.B.coldCall();
