/** The bundled sample: 5,000 MNIST training digits with labels, as gzipped IDX in media/sample. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DataError } from './dataset';
import type { FormatReader } from './formats';
import { inspectIdxPair, readIdxPair } from './readers/idx';

const LABEL_NAMES = Array.from({ length: 10 }, (_, digit) => String(digit));

function isExtensionRoot(folder: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: unknown }).name === 'latent-lab';
  } catch {
    return false;
  }
}

/**
 * The extension's root folder. The code runs from src/ (tests, via tsx) and bundled into dist/,
 * at different depths, so it walks up to the manifest rather than assuming a relative path.
 */
export function extensionRoot(): string {
  if (process.env.LATENT_LAB_ROOT) return resolve(process.env.LATENT_LAB_ROOT);
  for (let folder = __dirname; ; folder = dirname(folder)) {
    if (isExtensionRoot(folder)) return folder;
    if (dirname(folder) === folder) throw new DataError(`cannot find the Latent Lab folder (with media/sample) above ${__dirname}; set LATENT_LAB_ROOT to it`);
  }
}

export function sampleFiles(): { images: string; labels: string } {
  const folder = join(extensionRoot(), 'media', 'sample');
  return { images: join(folder, 'sample-images-idx3-ubyte.gz'), labels: join(folder, 'sample-labels-idx1-ubyte.gz') };
}

export const sampleReader: FormatReader = {
  async load(_, options) {
    const { images, labels } = sampleFiles();
    return { ...(await readIdxPair(images, labels, options)), labelNames: LABEL_NAMES };
  },
  async inspect(_, options) {
    const { images, labels } = sampleFiles();
    const summary = await inspectIdxPair(images, labels, options);
    return { ...summary, labels: { count: summary.labels?.count ?? 0, classes: LABEL_NAMES.length, names: LABEL_NAMES } };
  },
};
