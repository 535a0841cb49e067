/**
 * The columnar fixtures: Parquet and Arrow IPC latents files written by pyarrow
 * (python/make_columnar_fixtures.py), each with the latents (NAME.npy) and metadata (NAME.json) a
 * reader must find in it. Made once per version of the script and its requirements, under
 * ~/.cache/latent-lab/fixtures/columnar-<hash>, as scripts/make-foreign-fixtures.sh does for models.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { parseNpy } from '../../src/engine/data/readers/npy';
import { repoRoot } from './helpers';

const cache = process.env.LATENT_LAB_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'latent-lab');
const script = path.join(repoRoot, 'python', 'make_columnar_fixtures.py');
const requirements = path.join(repoRoot, 'python', 'requirements-arrow.txt');
const venv = path.join(cache, 'py-arrow');

const sha256 = (...files: string[]) => createHash('sha256').update(Buffer.concat(files.map((file) => readFileSync(file)))).digest('hex');

/** The venv's python, as scripts/provision-python.sh arrow left it for the current requirements. */
function arrowPython(): string {
  const python = path.join(venv, 'bin', 'python');
  const stamp = path.join(venv, '.requirements.sha256');
  const provisioned = existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === sha256(requirements);
  if (!provisioned) throw new Error(`the columnar fixtures need pyarrow in ${venv}: run bash scripts/provision-python.sh arrow`);
  return python;
}

function run(python: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(python, [script, out], { timeout: 120_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`make_columnar_fixtures.py failed: ${stderr.split('\n').filter(Boolean).slice(-3).join(' | ') || error.message}`));
      else resolve();
    });
  });
}

/** The fixture folder; the first call after a change to the script writes it (a second or two). */
export async function makeColumnarFixtures(): Promise<string> {
  const target = path.join(cache, 'fixtures', `columnar-${sha256(script, requirements).slice(0, 16)}`);
  if (existsSync(path.join(target, '.complete'))) return target;
  const python = arrowPython();
  mkdirSync(path.dirname(target), { recursive: true });
  // Written beside the target and renamed, so a failed run leaves no half-made folder behind.
  const work = mkdtempSync(path.join(path.dirname(target), '.tmp-columnar-'));
  try {
    await run(python, work);
    writeFileSync(path.join(work, '.complete'), '');
    rmSync(target, { recursive: true, force: true });
    renameSync(work, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return target;
}

/** What a fixture must read as: its latents and, per metadata column, one value (text for text and booleans) or null per row. */
export interface ColumnarReference {
  latents: Float32Array;
  shape: number[];
  metadata: Record<string, (number | string | null)[]>;
}

export function readColumnarReference(dir: string, name: string): ColumnarReference {
  const npy = path.join(dir, `${name}.npy`);
  const { data, shape } = parseNpy(readFileSync(npy), npy);
  const metadata = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as ColumnarReference['metadata'];
  return { latents: Float32Array.from(data as ArrayLike<number>), shape, metadata };
}
