/** Debian's Chromium as every browser suite launches it: headless, offline, software WebGL. */
import { type Browser, chromium } from 'playwright-core';

export function launchChromium(executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      // This machine's network is closed: background fetches would only fail, many at a time.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // scattergl needs WebGL, which without a GPU only SwiftShader provides. Headless Chromium 156
      // still falls back to it by itself; the flags keep that working as Chromium retires the fallback.
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
}
