/**
 * The explorer page's HTML, free of `vscode` so the webview test harness serves the very same page:
 * strict CSP with the load's nonce, the stylesheet and script from dist/. `head` is what a host adds
 * before the bundle runs (the harness: its theme, saved state and stand-in for acquireVsCodeApi).
 */
export interface ExplorerDocumentOptions {
  csp: string;
  nonce: string;
  /** The URL of a file in dist/. */
  asset(file: string): string;
  head?: string;
  bodyClass?: string;
}

export function explorerDocument({ csp, nonce, asset, head = '', bodyClass }: ExplorerDocumentOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('webview.css')}">
<title>Latent Lab</title>
${head}
</head>
<body${bodyClass ? ` class="${bodyClass}"` : ''}>
<div id="app"></div>
<script nonce="${nonce}" src="${asset('webview.js')}"></script>
</body>
</html>`;
}
