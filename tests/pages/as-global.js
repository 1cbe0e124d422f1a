// The reference UMD build and our classic script both define window.KomboConnect.
window.SDK = window.KomboConnect;
