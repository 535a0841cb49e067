/**
 * The two runs of a compare page: each checkpoint opened as an engine session, named by its
 * folder and lettered A and B wherever the page shows it (table columns, curves, maps).
 */
import type { Session } from '../../../../shared/protocol';
import type { PanelTarget } from '../../../../shared/webviewProtocol';
import { failureText, formatCount } from '../../../common/format';
import type { RpcClient } from '../../../../shared/rpc';
import { notice } from '../../../common/ui/controls';
import { el, show } from '../../../common/ui/dom';
import { runName } from '../../../../shared/paths';

export type CompareTarget = Extract<PanelTarget, { view: 'compare' }>;

export interface Run {
  letter: string;
  /** Letter and folder name, e.g. `A · vae-20261125-034512`. */
  title: string;
  checkpoint: string;
  session: Session;
}

const LETTERS = ['A', 'B'];

/** A checkpoint is a run folder or the latent-lab.json inside it; either way the folder names the run. */
function runTitle(index: number, checkpoint: string): string {
  return `${LETTERS[index]} · ${runName(checkpoint)}`;
}

export interface OpenedRuns {
  runs: Run[];
  /** Whether any run failed to open; its line says why. */
  failed: boolean;
}

/**
 * Opens every run at once, each with its own line in `lines` saying how it goes. The sessions of
 * runs that did open are returned even when another failed, so the caller can close them.
 */
export async function openRuns(client: RpcClient, target: CompareTarget, lines: HTMLElement): Promise<OpenedRuns> {
  const opened = await Promise.allSettled(
    target.checkpoints.map(async (checkpoint, index): Promise<Run> => {
      const title = runTitle(index, checkpoint);
      const line = el('div', { class: 'run-line' });
      lines.append(line);
      show(line, notice(`${title}: opening and encoding its data…`, 'busy'));
      try {
        const session = await client.request('openSession', { checkpoint, ...(target.limit ? { limit: target.limit } : {}) }).result;
        show(line, notice(`${title}: ${formatCount(session.count)} samples encoded`));
        return { letter: LETTERS[index]!, title, checkpoint, session };
      } catch (error) {
        show(line, notice(failureText(`${title}: could not open ${checkpoint}`, error), 'error'));
        throw error;
      }
    }),
  );
  return {
    runs: opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])),
    failed: opened.some((result) => result.status === 'rejected'),
  };
}
