/**
 * A Jupyter notebook whose one output carries the Latent Lab MIME type, as a Python kernel running
 * python/latent_lab_display.py would have saved it: the payload comes from that helper, run on
 * scikit-learn's digits by the renderer suite's payload script in the reference venv.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LATENTS_MIME } from '../../../src/shared/notebookPayload';
import { repoRoot } from './codeServer';

/** Writes `file` (.ipynb) with one executed cell that displayed the digits' latent map; returns the point count. */
export function writeLatentMapNotebook(file: string): number {
  const python = execFileSync('bash', [path.join(repoRoot, 'scripts', 'provision-python.sh'), 'reference'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const folder = mkdtempSync(path.join(tmpdir(), 'latent-lab-notebook-'));
  try {
    execFileSync(python, [path.join(repoRoot, 'test', 'webview', 'harness', 'notebook_payloads.py'), folder], { stdio: ['ignore', 'ignore', 'inherit'] });
    const payload = JSON.parse(readFileSync(path.join(folder, 'digits.json'), 'utf8')) as { latents: { shape: number[] } };
    const cell = {
      cell_type: 'code',
      execution_count: 1,
      metadata: {},
      source: ['from latent_lab_display import latent_map\n', 'latent_map(digits.data, labels=digits.target, thumbnails=digits.images / 16)'],
      outputs: [{ output_type: 'display_data', data: { [LATENTS_MIME]: payload }, metadata: {} }],
    };
    const notebook = { cells: [cell], metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, language_info: { name: 'python' } }, nbformat: 4, nbformat_minor: 5 };
    writeFileSync(file, JSON.stringify(notebook, null, 1));
    return payload.latents.shape[0]!;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
