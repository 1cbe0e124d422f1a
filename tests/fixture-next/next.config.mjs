// Only what serving the test needs: a static export under /next/ (the
// test's file server mounts it there). Nothing for the SDK.
export default { output: 'export', basePath: '/next' };
