/**
 * Owns the window's engine processes and their VS Code surfaces: the output channel with the engine
 * log and the status bar item with the backend. One process serves the explorer (forked on first
 * use); each training run gets one of its own (TrainingProcesses).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineInfo, EngineMethod, ParamsOf, ResultOf, TrainResult } from '../shared/protocol';
import { EngineClient, type EngineClientOptions, type RequestOptions } from './engineClient';
import { TrainingProcesses } from './trainingProcesses';

export class EngineHost implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('Latent Lab', { log: true });
  private readonly statusItem = vscode.window.createStatusBarItem('latentLab.backend', vscode.StatusBarAlignment.Right, 50);
  private readonly client: EngineClient;
  private readonly training: TrainingProcesses;
  private fallbackAnnounced = false;
  private backendText = '$(beaker) Latent Lab';
  private trainingRuns = 0;

  constructor(extensionPath: string, memoryLimitMb: number) {
    this.statusItem.name = 'Latent Lab backend';
    this.statusItem.command = 'latentLab.showEngineInfo';
    this.renderStatus();
    this.statusItem.tooltip = 'Latent Lab engine not started yet — click to start it and show its backend';
    this.statusItem.show();
    const processOptions: EngineClientOptions = {
      enginePath: path.join(extensionPath, 'dist', 'engine.js'),
      execArgv: [`--max-old-space-size=${memoryLimitMb}`],
      onEvent: (message) => {
        if (message.event === 'backend') this.showBackend(message.data as EngineInfo);
        else if (message.event === 'log') this.log(message.data as { level: string; message: string });
      },
      onInvalidMessage: (problem) => this.output.error(problem),
    };
    this.training = new TrainingProcesses(processOptions);
    this.client = new EngineClient({
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

  request<M extends EngineMethod>(method: M, params: ParamsOf<M>, options?: RequestOptions): Promise<ResultOf<M>> {
    return this.client.request(method, params, options);
  }

  /** Trains in a process of its own; cancel through `options.signal`. */
  train(params: ParamsOf<'train'>, options?: RequestOptions): Promise<TrainResult> {
    return this.training.train(params, options);
  }

  /** Shows how many runs are training next to the backend. */
  setTraining(runs: number): void {
    this.trainingRuns = runs;
    this.renderStatus();
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
    const training = this.trainingRuns === 0 ? '' : `$(sync~spin) training${this.trainingRuns > 1 ? ` ${this.trainingRuns} runs` : ''} · `;
    this.statusItem.text = training + this.backendText;
  }

  dispose(): void {
    this.training.dispose();
    this.client.dispose();
    this.statusItem.dispose();
    this.output.dispose();
  }

  private log(entry: { level: string; message: string }): void {
    if (entry.level === 'error') this.output.error(entry.message);
    else if (entry.level === 'warn') this.output.warn(entry.message);
    else if (entry.level === 'debug') this.output.debug(entry.message);
    else this.output.info(entry.message);
  }
}
