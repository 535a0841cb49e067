import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { isCheckpointFolder } from '../checkpoint/checkpoint';
import { describeCheckpoint, describeModelJson } from '../checkpoint/describe';
import { META_FILE } from '../checkpoint/meta';
import { inspectDataset } from '../data/loadDataset';
import { UsageError } from './args';
import { type CliCommand, table } from './command';

export const inspectCommand: CliCommand = {
  summary: 'validate and summarise a dataset, a checkpoint folder or a model.json',
  usage: 'inspect <path|sample> [--json]',
  values: [],
  async run({ args, backend }) {
    const target = args.positionals[0];
    if (!target || args.positionals.length > 1) throw new UsageError('inspect takes one path: a dataset file or folder, a checkpoint folder, or a model.json');
    const resolved = target === 'sample' ? target : path.resolve(target);
    if (resolved !== 'sample' && (path.basename(resolved) === META_FILE || (await isDirectory(resolved) && (await isCheckpointFolder(resolved))))) {
      const summary = await describeCheckpoint(backend.tf, resolved);
      return { result: { type: 'checkpoint', ...summary }, human: table(flatten({ type: 'checkpoint', ...summary })) };
    }
    if (resolved.endsWith('.json')) {
      const summary = await describeModelJson(backend.tf, resolved);
      return { result: { type: 'model', ...summary }, human: table(flatten({ type: 'model', ...summary })) };
    }
    const summary = await inspectDataset(resolved);
    return { result: { type: 'dataset', ...summary }, human: table(flatten({ type: 'dataset', ...summary })) };
  },
};

async function isDirectory(target: string): Promise<boolean> {
  return (await fs.stat(target).catch(() => undefined))?.isDirectory() === true;
}

/** One row per top-level field; nested values shown compactly. */
function flatten(summary: Record<string, unknown>): [string, string][] {
  return Object.entries(summary).map(([key, value]) => [key, typeof value === 'string' ? value : compact(value)]);
}

function compact(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
