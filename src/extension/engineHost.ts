/**
 * Owns the window's engine processes and their VS Code surfaces: the output channel with the engine
 * log and the status bar item with the backend. One process serves the explorer (forked on first
 * use); each training run gets one of its own (TrainingProcesses).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineInfo, EventData, ParamsOf, ResultOf, TrainResult } from '../shared/protocol';
import type { CallableMethod, CallOptions } from '../shared/rpc';
import { EngineProcess, type EngineProcessOptions } from './engineProcess';
import { TrainingProcesses } from './trainingProcesses';

export class EngineHost implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('Latent Lab', { log: true });
  private readonly statusItem = vscode.window.createStatusBarItem('latentLab.backend', vscode.StatusBarAlignment.Right, 50);
  private readonly explorer: EngineProcess;
  private readonly training: TrainingProcesses;
  /** The runs training now, each stoppable from "Stop Training". */
  private readonly runs = new Set<AbortController>();
  private fallbackAnnounced = false;
  private backendText = '$(beaker) Latent Lab';

  /** `nativeEnv` tells the engine where the native backend's libtensorflow is set up (commands/setupNative.ts). */
  constructor(extensionPath: string, memoryLimitMb: number, nativeEnv: NodeJS.ProcessEnv) {
    this.statusItem.name = 'Latent Lab backend';
    this.statusItem.command = 'latentLab.showEngineInfo';
    this.renderStatus();
    this.statusItem.tooltip = 'Latent Lab engine not started yet — click to start it and show its backend';
    this.statusItem.show();
    const processOptions: EngineProcessOptions = {
      enginePath: path.join(extensionPath, 'dist', 'engine.js'),
      env: nativeEnv,
      execArgv: [`--max-old-space-size=${memoryLimitMb}`],
      onEvent: (event) => {
        if (event.event === 'backend') this.showBackend(event.data);
        else if (event.event === 'log') this.log(event.data);
      },
      onProblem: (problem) => this.output.error(problem),
    };
    this.training = new TrainingProcesses(processOptions);
    this.explorer = new EngineProcess({
      ...processOptions,
      onExit: (description) => {
        this.output.warn(`engine stopped (${description})`);
        this.backendText = '$(warning) Latent Lab: engine stopped';
        this.renderStatus();
        this.statusItem.tooltip = 'The engine process stopped; it restarts on the next request.';
        void vscode.window.showWarningMessage(`Latent Lab: the engine process stopped (${description}). It will restart on the next request.`);
      },
    });
  }

  /** A request to the engine that serves explorers. */
  request<M extends CallableMethod>(method: M, params: ParamsOf<M>, options?: CallOptions): Promise<ResultOf<M>> {
    return this.explorer.request(method, params, options);
  }

  /** Trains in a process of its own; cancel through `options.signal` or stopTraining. */
  async train(params: ParamsOf<'train'>, options: CallOptions = {}): Promise<TrainResult> {
    const run = new AbortController();
    const stop = () => run.abort();
    options.signal?.addEventListener('abort', stop, { once: true });
    this.runs.add(run);
    this.renderStatus();
    try {
      return await this.training.train(params, { ...options, signal: run.signal });
    } finally {
      options.signal?.removeEventListener('abort', stop);
      this.runs.delete(run);
      this.renderStatus();
    }
  }

  /** Stops every run training now; says how many there were. */
  stopTraining(): number {
    const stopped = this.runs.size;
    for (const run of this.runs) run.abort();
    return stopped;
  }

  showBackend(info: EngineInfo): void {
    this.backendText = info.native ? `$(beaker) ${info.backend}` : `$(warning) ${info.backend}`;
    this.renderStatus();
    this.statusItem.tooltip = info.native
      ? `Latent Lab engine: native TensorFlow backend (tfjs ${info.tfjsVersion})`
      : `Latent Lab engine: ${info.backend} fallback backend — ${info.fallbackReason ?? ''}`;
    if (!info.native && !this.fallbackAnnounced) {
      this.fallbackAnnounced = true;
      this.output.warn(`using the ${info.backend} backend: ${info.fallbackReason ?? 'native backend unavailable'}`);
      void vscode.window.showWarningMessage(`Latent Lab is using the slower ${info.backend} backend: ${info.fallbackReason ?? ''}`);
    }
  }

  private renderStatus(): void {
    const runs = this.runs.size;
    const training = runs === 0 ? '' : `$(sync~spin) training${runs > 1 ? ` ${runs} runs` : ''} · `;
    this.statusItem.text = training + this.backendText;
  }

  dispose(): void {
    this.training.dispose();
    this.explorer.dispose();
    this.statusItem.dispose();
    this.output.dispose();
  }

  private log(entry: EventData<'log'>): void {
    if (entry.level === 'error') this.output.error(entry.message);
    else if (entry.level === 'warn') this.output.warn(entry.message);
    else if (entry.level === 'debug') this.output.debug(entry.message);
    else this.output.info(entry.message);
  }
}
