/**
 * Training steps run as one TensorFlow graph instead of op by op. Eagerly, tfjs launches every
 * kernel of a step on its own (~320 for a conv VAE, each dispatched from JavaScript); a graph of
 * the same kernels runs them in TensorFlow's executor, where Grappler and oneDNN fuse what they
 * can and independent kernels run side by side, as under Keras' traced `tf.function`.
 *
 * Per batch size: the first step runs eagerly (state made lazily, such as Adam's moments, appears
 * there); the next two run eagerly while being traced (training/stepTrace.ts). If both traces are
 * the same graph it is loaded into a TensorFlow session and replayed on the second step's inputs;
 * only if that reproduces the step's eager results does it replace the eager step. Anything else —
 * another backend, a step that changes shape, a constant that differs from step to step, a graph
 * TensorFlow rejects, a failing replay — keeps training eager and says why.
 *
 * Compiling takes a turn of the event loop before each of its stages (comparing the traces,
 * writing the graph, loading the session, its first run, checking each output of the replay), so
 * that a cancel or another request is read in between; the longest stage is the first run, one
 * TensorFlow call that cannot be split (bench/README.md).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from '../../backend';
import { firstLine } from '../../checkpoint/errors';
import { nextTurn } from '../../eventLoop';
import { eagerContext, type PerStep, type Scalar, type Tensor } from '../../models/modelKind';
import { savedModelBytes } from './graphDef';
import { withFasterKernels } from './graphRewrites';
import { type NativeBackend, nativeBackend, type StepTrace, traceDifference, traceStep } from './stepTrace';

/** One step: reads the batch, may update variables, returns its outputs (a training step's loss terms are scalars). */
export type StepBody<T extends Tensor = Scalar> = (batch: Tensor, step: number, perStep: PerStep) => Record<string, T>;

export interface StepExecution {
  compiled: boolean;
  /** One line for the training summary: which batch sizes run as graphs, or why steps stay eager. */
  note: string;
}

const TAG = 'serve';
/** Replayed outputs must match the eager step to this fraction of each output's largest magnitude (fused kernels round differently). */
const RELATIVE_TOLERANCE = 1e-4;
const ABSOLUTE_TOLERANCE = 1e-7;

export class CompiledSteps<T extends Tensor = Scalar> {
  private readonly native: NativeBackend | undefined;
  private readonly graphs = new Map<number, StepGraph<T>>();
  private readonly firstTraces = new Map<number, StepTrace>();
  private readonly stepsSeen = new Map<number, number>();
  private eagerReason: string | undefined;

  constructor(
    private readonly tf: Tf,
    private readonly body: StepBody<T>,
    enabled: boolean,
  ) {
    this.native = nativeBackend(tf);
    if (!enabled) this.eagerReason = 'graph compilation was turned off';
    else if (!this.native) this.eagerReason = `the ${tf.getBackend()} backend has no graph runtime`;
  }

  async run(batch: Tensor, step: number): Promise<Record<string, T>> {
    const size = batch.shape[0]!;
    const graph = this.graphs.get(size);
    if (graph) {
      try {
        return graph.run(batch, step);
      } catch (error) {
        this.fallBack(`a compiled step failed (${firstLine(error)})`);
      }
    }
    const seen = (this.stepsSeen.get(size) ?? 0) + 1;
    this.stepsSeen.set(size, seen);
    if (this.eagerReason || seen === 1 || seen > 3) return this.body(batch, step, eagerContext(true, step).perStep);
    return this.traced(this.native!, batch, step, size);
  }

  /** How these steps ran; `evaluation`, the validation batches' CompiledSteps, adds a clause when they were compiled too. */
  execution(evaluation?: CompiledSteps<Tensor>): StepExecution {
    const sizes = [...this.graphs.keys()];
    if (this.eagerReason) return { compiled: false, note: `steps ran eagerly: ${this.eagerReason}` };
    if (sizes.length === 0) return { compiled: false, note: 'steps ran eagerly: too few steps of one batch size to compile' };
    const validation = evaluation?.graphs.size ? '; validation batches too' : '';
    return { compiled: true, note: `steps of ${sizes.join(' and ')} samples ran as one TensorFlow graph each after three eager steps${validation}` };
  }

  dispose(): void {
    for (const graph of this.graphs.values()) graph.dispose();
    this.graphs.clear();
  }

  private async traced(native: NativeBackend, batch: Tensor, step: number, size: number): Promise<Record<string, T>> {
    const { tf } = this;
    // Keep every variable's pre-step value alive: the replay check feeds them to the graph.
    const before = new Map(Object.values(tf.engine().registeredVariables).map((variable) => [variable, tf.clone(variable)]));
    try {
      const traced = traceStep(tf, native, batch, step, (perStep) => this.body(batch, step, perStep));
      if ('untraceable' in traced) {
        this.fallBack(traced.untraceable);
        return traced.terms;
      }
      try {
        const first = this.firstTraces.get(size);
        if (!first) {
          this.firstTraces.set(size, traced.trace);
          return traced.terms;
        }
        this.firstTraces.delete(size);
        await nextTurn('compile: compare traces');
        const difference = traceDifference(first, traced.trace);
        if (difference) this.fallBack(difference);
        else await this.compile(native, traced.trace, feeds(traced.trace, batch, (variable) => before.get(variable)!, traced.perStepTensors), traced.terms, size);
        return traced.terms;
      } finally {
        tf.dispose(traced.perStepTensors);
      }
    } finally {
      tf.dispose([...before.values()]);
    }
  }

  private async compile(native: NativeBackend, trace: StepTrace, inputs: Tensor[], eagerTerms: Record<string, T>, size: number): Promise<void> {
    let graph: StepGraph<T>;
    try {
      graph = await StepGraph.load<T>(this.tf, native, trace);
    } catch (error) {
      this.fallBack(`TensorFlow did not accept the traced step as a graph (${firstLine(error)})`);
      return;
    }
    let mismatch: string | undefined;
    try {
      mismatch = await graph.replayMismatch(inputs, eagerTerms);
    } catch (error) {
      mismatch = `the graph failed on its first run (${firstLine(error)})`;
    }
    if (mismatch) {
      graph.dispose();
      this.fallBack(mismatch);
    } else {
      this.graphs.set(size, graph);
    }
  }

  private fallBack(reason: string): void {
    this.eagerReason ??= reason;
    this.dispose();
  }
}

/** What each placeholder of `trace` is fed: the batch, a variable's value (`valueOf`), or a per-step tensor. */
function feeds(trace: StepTrace, batch: Tensor, valueOf: (variable: tfTypes.Variable) => Tensor, perStep: readonly Tensor[]): Tensor[] {
  return trace.inputs.map((role) => (role.kind === 'batch' ? batch : role.kind === 'variable' ? valueOf(role.variable) : perStep[role.index]!));
}

/** A traced step loaded into a TensorFlow session; `run` feeds it and writes the assigned variables back. */
class StepGraph<T extends Tensor> {
  private readonly inputNames: string;
  private readonly outputNames: string;

  private constructor(
    private readonly tf: Tf,
    private readonly native: NativeBackend,
    private readonly trace: StepTrace,
    private readonly sessionId: number,
  ) {
    const tensorName = (name: string) => (name.includes(':') ? name : `${name}:0`);
    this.inputNames = trace.inputs.map((_, i) => `in${i}:0`).join(',');
    this.outputNames = trace.outputs.map(tensorName).join(',');
  }

  static async load<T extends Tensor>(tf: Tf, native: NativeBackend, trace: StepTrace): Promise<StepGraph<T>> {
    await nextTurn('compile: write graph');
    const bytes = savedModelBytes(withFasterKernels(trace.nodes, native.binding), native.binding, TAG);
    // The binding loads graphs only as SavedModel folders; the session keeps the graph once loaded.
    const folder = await fs.mkdtemp(path.join(tmpdir(), 'latent-lab-step-'));
    try {
      await fs.writeFile(path.join(folder, 'saved_model.pb'), bytes);
      await nextTurn('compile: load session');
      return new StepGraph<T>(tf, native, trace, native.binding.loadSavedModel(folder, TAG));
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  }

  run(batch: Tensor, step: number): Record<string, T> {
    const perStep = this.trace.perStep.map((make) => make(step));
    try {
      const outputs = this.execute(feeds(this.trace, batch, (variable) => variable, perStep));
      const termCount = this.trace.termNames.length;
      this.trace.assigned.forEach((variable, i) => {
        const value = outputs[termCount + i]!;
        variable.assign(value);
        value.dispose();
      });
      return Object.fromEntries(this.trace.termNames.map((name, i) => [name, outputs[i] as T]));
    } finally {
      this.tf.dispose(perStep);
    }
  }

  /** Runs the graph on a traced step's inputs; describes the first output that differs from the eager step's. */
  async replayMismatch(feeds: Tensor[], eagerTerms: Record<string, T>): Promise<string | undefined> {
    await nextTurn('compile: first graph run');
    const outputs = this.execute(feeds);
    try {
      const expected: [string, Tensor][] = [...this.trace.termNames.map((name): [string, Tensor] => [`term ${name}`, eagerTerms[name]!]), ...this.trace.assigned.map((variable): [string, Tensor] => [`variable ${variable.name}`, variable])];
      for (const [i, [label, eager]] of expected.entries()) {
        await nextTurn('compile: replay check');
        const { scale, worst } = largestDifference(eager.dataSync(), outputs[i]!.dataSync());
        if (!(worst <= RELATIVE_TOLERANCE * scale + ABSOLUTE_TOLERANCE)) return `the graph's ${label} differs from the eager step's by ${worst.toExponential(2)} (largest magnitude ${scale.toExponential(2)})`;
      }
      return undefined;
    } finally {
      this.tf.dispose(outputs);
    }
  }

  dispose(): void {
    this.native.binding.deleteSavedModel(this.sessionId);
  }

  private execute(feeds: Tensor[]): Tensor[] {
    const ids = this.native.getInputTensorIds(feeds);
    const outputs = this.native.binding.runSavedModel(this.sessionId, ids, this.inputNames, this.outputNames);
    return outputs.map((metadata) => this.native.createOutputTensor(metadata));
  }
}

/** The largest magnitude in `want` and its largest difference from `got`; NaN if either holds one (Math.max keeps it). */
function largestDifference(want: ArrayLike<number>, got: ArrayLike<number>): { scale: number; worst: number } {
  let scale = 0;
  let worst = 0;
  for (let j = 0; j < want.length; j++) {
    scale = Math.max(scale, Math.abs(want[j]!));
    worst = Math.max(worst, Math.abs(want[j]! - got[j]!));
  }
  return { scale, worst };
}
