/** Path helpers that the host and the page share; plain string work, since the page has no Node. */
import { CHECKPOINT_FILE } from './checkpointSummary';

/** A run's name as people call it: its checkpoint folder's name (also when given its latent-lab.json). */
export function runName(checkpoint: string): string {
  const parts = checkpoint.split(/[\\/]/).filter(Boolean);
  return (parts.at(-1) === CHECKPOINT_FILE ? parts.at(-2) : parts.at(-1)) ?? checkpoint;
}
