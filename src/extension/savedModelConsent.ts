/**
 * The rule for TF SavedModels, free of `vscode` so that it is tested in plain node. A SavedModel is
 * a program, not data: TensorFlow runs its graph natively (loading it already runs its init ops), and
 * ops such as ReadFile and WriteFile reach the file system with the user's permissions. So it runs
 * only in a trusted workspace, wherever the folder lives, and only once the user has said yes to
 * that folder.
 */
import type { PanelTarget } from '../shared/webviewProtocol';

export const RUN_MODEL = 'Run Model';

export type SavedModelVerdict =
  | { action: 'open' }
  | { action: 'refuse'; message: string }
  | { action: 'confirm'; message: string; detail: string };

/** The SavedModel folder a panel target would run, if it runs one. */
export function savedModelOf(target: PanelTarget): string | undefined {
  return target.view === 'model' && target.model.format === 'savedmodel' ? target.model.model : undefined;
}

/** `confirmed`: the folders the user has already said yes to in this session. */
export function savedModelVerdict(folder: string, workspaceTrusted: boolean, confirmed: ReadonlySet<string>): SavedModelVerdict {
  if (!workspaceTrusted) {
    return { action: 'refuse', message: `Latent Lab runs TF SavedModels only in a trusted workspace: ${folder} is a program whose graph can read and write files. Trust the workspace to open it.` };
  }
  if (confirmed.has(folder)) return { action: 'open' };
  return {
    action: 'confirm',
    message: `Run the TensorFlow graph of ${folder}?`,
    detail: 'A SavedModel is a program: its graph can read and write files with your permissions. Open it only if you trust where it came from.',
  };
}
