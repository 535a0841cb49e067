/**
 * The one error type checkpoint code throws for anything a user can act on: a bad or hostile file,
 * a folder that cannot be written. Messages are one line (what, which file, what to do) because the
 * CLI prints them as `error: …` and the panel shows them in a notification.
 */
export class CheckpointError extends Error {
  constructor(message: string) {
    // Messages quote names from untrusted files; a newline there must not break the one-line contract.
    super(message.replace(/\s*[\r\n]+\s*/g, ' '));
    this.name = 'CheckpointError';
  }
}

export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 300);
}

/** Keeps CheckpointErrors as they are and turns anything else (fs, tfjs) into one with context. */
export function asCheckpointError(error: unknown, context: string, advice: string): CheckpointError {
  if (error instanceof CheckpointError) return error;
  return new CheckpointError(`${context} (${firstLine(error)}); ${advice}`);
}

/** ENOSPC, or EDQUOT (over the user's quota): to the user, the disk is full either way. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
