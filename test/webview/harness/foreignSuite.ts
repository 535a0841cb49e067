/**
 * The set-up of a suite that opens models made elsewhere: Chromium (first, so that without it the
 * suite fails at once, before a server listens), the harness server and the foreign-model fixtures
 * made by the real frameworks; all closed after the suite, also when the set-up failed.
 */
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../support/chromium';
import { makeForeignFixtures } from '../../support/foreignFixtures';
import { HarnessServer } from './server';

export interface ForeignSuite {
  readonly browser: Browser;
  readonly server: HarnessServer;
  /** The fixtures folder: tfjs/, onnx/, savedmodel/ and inputs.npy. */
  readonly fixtures: string;
}

/** Call inside a describe: its before and after hooks open and close what the suite's tests read from the answer. */
export function foreignSuite(): ForeignSuite {
  const opened: { browser?: Browser; server?: HarnessServer; fixtures?: string } = {};
  before(async () => {
    opened.server = new HarnessServer();
    opened.browser = await launchChromium();
    [opened.fixtures] = await Promise.all([makeForeignFixtures(), opened.server.start()]);
  });
  after(async () => {
    await opened.browser?.close();
    await opened.server?.stop();
  });
  return {
    get browser() {
      return opened.browser!;
    },
    get server() {
      return opened.server!;
    },
    get fixtures() {
      return opened.fixtures!;
    },
  };
}
