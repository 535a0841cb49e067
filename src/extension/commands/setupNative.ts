/**
 * Latent Lab: Set Up Native Backend — fetches libtensorflow for the native backend after the user's
 * yes, with progress and cancel, through the extension's own CLI (nativeSetupProcess.ts). Offered
 * once, unasked, where the binding is present and libtensorflow is not; the command stays available.
 */
import * as vscode from 'vscode';
import { messageOf } from '../../shared/protocol';
import { checkNative, type NativeStatus, runNativeSetup } from '../nativeSetupProcess';

export interface NativeSetupTarget {
  /** The extension's dist/cli.js. */
  cliPath: string;
  /** What the engine processes get too, so the setup lands where they look. */
  env: NodeJS.ProcessEnv;
}

const OFFERED_KEY = 'latentLab.nativeSetupOffered';
/** The extension version last checked: an update or another platform's package is checked again, nothing else is. */
const CHECKED_KEY = 'latentLab.nativeSetupChecked';
const SET_UP = 'Download and Set Up';

export async function setUpNativeBackend(target: NativeSetupTarget): Promise<void> {
  let status: NativeStatus;
  try {
    status = await checkNative(target.cliPath, target.env);
  } catch (error) {
    void vscode.window.showInformationMessage(`Latent Lab: ${messageOf(error)}`);
    return;
  }
  if (!status.binding) {
    void vscode.window.showInformationMessage(`Latent Lab: this installation has no native TensorFlow binding (the extension's ${status.target} package carries one), so it keeps training on the fallback backend.`);
    return;
  }
  if (status.libtensorflow) {
    void vscode.window.showInformationMessage(`Latent Lab: the native backend is already set up (libtensorflow in ${status.libtensorflow.dir}).`);
    return;
  }
  const python = await pythonInterpreter();
  const answer = await vscode.window.showInformationMessage(
    'Set up the native TensorFlow backend?',
    {
      modal: true,
      detail: `Latent Lab downloads ${status.requirement} (${megabytes(status.downloadBytes)} MB) from the Python package index with the pip of ${python ?? 'python3 on PATH'}, checks it against the sha256 the index publishes, and keeps libtensorflow (${megabytes(status.diskBytes)} MB) in ${status.destination}. Until then it trains on the slower fallback backend.`,
    },
    SET_UP,
  );
  if (answer !== SET_UP) return;
  const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Latent Lab: setting up the native backend', cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    let reported = 0;
    try {
      return await runNativeSetup(target.cliPath, {
        env: target.env,
        ...(python ? { python } : {}),
        signal: controller.signal,
        onProgress: ({ message, fraction }) => {
          progress.report({ message, increment: Math.max(0, fraction - reported) * 100 });
          reported = Math.max(reported, fraction);
        },
      });
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  });
  if (outcome instanceof Error) {
    void vscode.window.showErrorMessage(`Latent Lab: the native backend was not set up: ${outcome.message}`);
  } else if (!outcome) {
    void vscode.window.showInformationMessage('Latent Lab: the native backend setup was cancelled; nothing was kept.');
  } else {
    const reload = 'Reload Window';
    const choice = await vscode.window.showInformationMessage(
      `Latent Lab: the native backend is set up (libtensorflow in ${outcome.libtensorflow.dir}, ${Math.round(outcome.seconds)} s). Training runs started from now on use it; open explorers switch after a reload.`,
      reload,
    );
    if (choice === reload) await vscode.commands.executeCommand('workbench.action.reloadWindow');
  }
}

/** The one unasked offer, made where setting up would help; a failed check says nothing. */
export async function offerNativeSetupOnce(state: vscode.Memento, target: NativeSetupTarget, version: string): Promise<void> {
  if (state.get<boolean>(OFFERED_KEY) || state.get<string>(CHECKED_KEY) === version) return;
  const status = await checkNative(target.cliPath, target.env).catch(() => undefined);
  if (!status) return;
  await state.update(CHECKED_KEY, version);
  if (!status.binding || status.libtensorflow) return;
  await state.update(OFFERED_KEY, true);
  const setUp = 'Set Up…';
  const choice = await vscode.window.showInformationMessage(
    `Latent Lab can train with native TensorFlow here, many times faster than on its fallback backend. It needs libtensorflow, a ${megabytes(status.downloadBytes)} MB download made once.`,
    setUp,
    'Not Now',
  );
  if (choice === setUp) await vscode.commands.executeCommand('latentLab.setupNative');
}

interface PythonExtensionApi {
  environments: {
    getActiveEnvironmentPath(): { path: string };
    resolveEnvironment(environment: { path: string }): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  };
}

/** The interpreter the Python extension has selected, where it is installed; else the CLI looks on PATH. */
async function pythonInterpreter(): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!extension) return undefined;
  try {
    const { environments } = await extension.activate();
    return (await environments.resolveEnvironment(environments.getActiveEnvironmentPath()))?.executable.uri?.fsPath;
  } catch {
    return undefined;
  }
}

function megabytes(bytes: number): number {
  return Math.round(bytes / 1e6);
}
