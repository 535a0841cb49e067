/**
 * The explorer's Content Security Policy, shared by the real panel and the test harness so the
 * harness proves the bundle runs under exactly this policy. style-src needs 'unsafe-inline' because
 * plotly injects its own style rules; there is no 'unsafe-eval' anywhere (the map's regl runs
 * precompiled draw code, common/map/reglRenderer.ts).
 */
export function explorerCsp(resourceOrigin: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${resourceOrigin} 'unsafe-inline'`,
    `img-src ${resourceOrigin} data: blob:`,
    `font-src ${resourceOrigin}`,
  ].join('; ');
}
