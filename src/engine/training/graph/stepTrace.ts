/**
 * Records one eager training step as a TensorFlow graph. On the native backend every kernel tfjs
 * runs goes through `binding.executeOp` and every tensor it makes from JavaScript values through
 * `binding.createTensor`, so swapping in a recording binding for the length of one real step
 * yields the step's whole dataflow: forward, tape gradients and optimiser update, op for op, with
 * the attributes tfjs chose. What the step reads from outside becomes a placeholder: the batch,
 * the per-step tensors the model asked for through `LossContext.perStep`, and variables (whose
 * new values, if the step assigned any, become outputs). A step that reads anything else made
 * before it, or reads values back to JavaScript midway, is reported as untraceable.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from '../../backend';
import type { PerStep, Scalar, Tensor } from '../../models/modelKind';
import type { AttrKinds, GraphNode, OpAttr } from './graphDef';

interface TensorMetadata {
  id: number;
  shape: number[];
  dtype: number;
}

type Values = Float32Array | Int32Array | Uint8Array;

/** The part of tfjs-node's native binding (tfjs_binding.d.ts) that tracing and graph runs use. */
export interface NativeBinding extends AttrKinds {
  TF_FLOAT: number;
  TF_INT32: number;
  TF_BOOL: number;
  TF_STRING: number;
  executeOp(op: string, attrs: OpAttr[], inputIds: number[], numOutputs: number): TensorMetadata[];
  createTensor(shape: number[], dtype: number, values: Values): number;
  tensorDataSync(id: number): Values;
  loadSavedModel(exportDir: string, tags: string): number;
  runSavedModel(savedModelId: number, inputIds: number[], inputNames: string, outputNames: string): TensorMetadata[];
  deleteSavedModel(savedModelId: number): void;
}

/** tfjs-node's NodeJSKernelBackend, as far as tracing needs it. */
export interface NativeBackend {
  binding: NativeBinding;
  /** Binding tensor ids of tfjs tensors, writing any whose values are still held in JavaScript. */
  getInputTensorIds(tensors: Tensor[]): number[];
  createOutputTensor(metadata: TensorMetadata): Tensor;
}

/** The native backend when tfjs runs on tfjs-node, else undefined (wasm and cpu have no graph runtime). */
export function nativeBackend(tf: Tf): NativeBackend | undefined {
  const backend = tf.backend() as unknown as Partial<NativeBackend>;
  const binding = backend.binding;
  const usable = typeof backend.getInputTensorIds === 'function' && typeof backend.createOutputTensor === 'function' && typeof binding?.runSavedModel === 'function' && typeof binding.loadSavedModel === 'function';
  return usable ? (backend as NativeBackend) : undefined;
}

/** Where a placeholder's value comes from when the graph runs. */
export type InputRole = { kind: 'batch' } | { kind: 'variable'; variable: tfTypes.Variable } | { kind: 'perStep'; index: number };

export interface StepTrace {
  nodes: GraphNode[];
  /** One per placeholder `in<i>`, in order. */
  inputs: InputRole[];
  /** Graph tensor names: the terms in `termNames` order, then the new value of each of `assigned`. */
  outputs: string[];
  termNames: string[];
  assigned: tfTypes.Variable[];
  perStep: ((step: number) => Tensor)[];
}

/**
 * Type attributes tfjs-node leaves out because TensorFlow's eager runtime infers them from the
 * inputs; a GraphDef must state them. Attribute name → the input whose dtype it takes.
 */
const INFERRED_TYPE_ATTRS: Record<string, Record<string, number>> = {
  ExpandDims: { T: 0, Tdim: 1 },
  Where: { T: 0 },
};

export type Traced<T extends Tensor = Scalar> = { terms: Record<string, T>; trace: StepTrace; perStepTensors: Tensor[] } | { terms: Record<string, T>; untraceable: string };

/**
 * Runs `body` (one eager step) with the binding recorded. Tensors the body made through
 * `perStep` are kept alive and returned, so the caller can replay the same step on the graph.
 */
export function traceStep<T extends Tensor>(tf: Tf, native: NativeBackend, batch: Tensor, step: number, body: (perStep: PerStep) => Record<string, T>): Traced<T> {
  const binding = native.binding;
  const variables = Object.values(tf.engine().registeredVariables);
  const idOf = (tensor: Tensor) => native.getInputTensorIds([tensor])[0]!;
  const roles = new Map<number, { role: InputRole; tensor: Tensor }>();
  roles.set(idOf(batch), { role: { kind: 'batch' }, tensor: batch });
  const before = variables.map(idOf);
  variables.forEach((variable, i) => roles.set(before[i]!, { role: { kind: 'variable', variable }, tensor: variable }));

  const nodes: GraphNode[] = [];
  const inputs: InputRole[] = [];
  const placeholders = new Map<number, string>();
  const producers = new Map<number, string>();
  const dtypes = new Map<string, number>();
  const perStepMakers: ((step: number) => Tensor)[] = [];
  const perStepTensors: Tensor[] = [];
  let untraceable: string | undefined;
  let paused = false;
  const refuse = (reason: string) => (untraceable ??= reason);

  const nameOf = (id: number): string => {
    const produced = producers.get(id) ?? placeholders.get(id);
    if (produced) return produced;
    const source = roles.get(id);
    if (!source) {
      refuse('the step reads a tensor made before it that is neither a variable, the batch nor a per-step input');
      return 'missing';
    }
    const dtype = dtypeCode(binding, source.tensor.dtype);
    if (dtype === undefined) refuse(`the step reads a ${source.tensor.dtype} input, which a graph placeholder here cannot take`);
    const name = `in${inputs.length}`;
    inputs.push(source.role);
    placeholders.set(id, name);
    nodes.push({ kind: 'placeholder', name, dtype: dtype ?? binding.TF_FLOAT, shape: source.tensor.shape });
    dtypes.set(name, dtype ?? binding.TF_FLOAT);
    return name;
  };

  const recording: NativeBinding = Object.create(null) as NativeBinding;
  // The binding is a native module object whose properties cannot be overwritten: copy, then wrap.
  for (const key of Object.getOwnPropertyNames(binding)) (recording as unknown as Record<string, unknown>)[key] = (binding as unknown as Record<string, unknown>)[key];
  recording.executeOp = (op, attrs, inputIds, numOutputs) => {
    const inputNames = paused ? [] : inputIds.map(nameOf);
    const outputs = binding.executeOp(op, attrs, inputIds, numOutputs);
    if (!paused) {
      const name = `n${nodes.length}`;
      const inferred = Object.entries(INFERRED_TYPE_ATTRS[op] ?? {})
        .filter(([attrName]) => !attrs.some((attr) => attr.name === attrName))
        .map(([attrName, input]) => ({ name: attrName, type: binding.TF_ATTR_TYPE, value: dtypes.get(inputNames[input]!) ?? binding.TF_FLOAT }));
      nodes.push({ kind: 'op', name, op, inputs: inputNames, attrs: [...attrs.map((attr) => ({ ...attr })), ...inferred], shapes: outputs.map((output) => output.shape) });
      outputs.forEach((output, i) => {
        const ref = i === 0 ? name : `${name}:${i}`;
        producers.set(output.id, ref);
        dtypes.set(ref, output.dtype);
      });
    }
    return outputs;
  };
  recording.createTensor = (shape, dtype, values) => {
    const id = binding.createTensor(shape, dtype, values);
    if (!paused) {
      if (dtype === binding.TF_STRING) refuse('the step makes a string tensor');
      const name = `n${nodes.length}`;
      nodes.push({ kind: 'const', name, dtype, shape: [...shape], bytes: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) });
      producers.set(id, name);
      dtypes.set(name, dtype);
    }
    return id;
  };
  recording.tensorDataSync = (id) => {
    if (!paused) refuse('the step reads tensor values back to JavaScript midway');
    return binding.tensorDataSync(id);
  };

  const perStep: PerStep = (make) => {
    paused = true;
    try {
      const tensor = make(step);
      perStepTensors.push(tf.keep(tensor));
      perStepMakers.push(make);
      roles.set(idOf(tensor), { role: { kind: 'perStep', index: perStepMakers.length - 1 }, tensor });
      return tensor;
    } finally {
      paused = false;
    }
  };

  native.binding = recording;
  let terms: Record<string, T>;
  try {
    terms = body(perStep);
  } finally {
    native.binding = binding;
  }
  const termNames = Object.keys(terms);
  const outputs = termNames.map((name) => nameOf(idOf(terms[name]!)));
  const assigned: tfTypes.Variable[] = [];
  variables.forEach((variable, i) => {
    const id = idOf(variable);
    if (id === before[i]) return;
    assigned.push(variable);
    outputs.push(nameOf(id));
  });
  if (untraceable) {
    tf.dispose(perStepTensors);
    return { terms, untraceable };
  }
  return { terms, trace: { nodes, inputs, outputs, termNames, assigned, perStep: perStepMakers }, perStepTensors };
}

/** Why two traces of steps with the same batch size are not the same graph, or undefined when they are. */
export function traceDifference(a: StepTrace, b: StepTrace): string | undefined {
  if (a.nodes.length !== b.nodes.length) return `the step ran ${a.nodes.length} kernels once and ${b.nodes.length} the next time`;
  for (let i = 0; i < a.nodes.length; i++) {
    const [x, y] = [a.nodes[i]!, b.nodes[i]!];
    if (x.kind === 'const' && y.kind === 'const') {
      if (!sameBytes(x.bytes, y.bytes)) return `a constant of shape [${x.shape.join(', ')}] changes from step to step; make it through LossContext.perStep`;
    } else if (JSON.stringify(x) !== JSON.stringify(y)) {
      return `kernel ${i + 1} differs between steps (${describe(x)} then ${describe(y)})`;
    }
  }
  const sameRoles = a.inputs.length === b.inputs.length && a.inputs.every((role, i) => sameRole(role, b.inputs[i]!));
  const sameOutputs = a.outputs.join() === b.outputs.join() && a.assigned.length === b.assigned.length && a.assigned.every((variable, i) => variable === b.assigned[i]);
  if (!sameRoles || !sameOutputs) return 'the step reads or assigns different variables from one step to the next';
  return undefined;
}

function sameRole(a: InputRole, b: InputRole): boolean {
  if (a.kind === 'variable') return b.kind === 'variable' && a.variable === b.variable;
  if (a.kind === 'perStep') return b.kind === 'perStep' && a.index === b.index;
  return a.kind === b.kind;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function describe(node: GraphNode): string {
  return node.kind === 'op' ? node.op : node.kind;
}

function dtypeCode(binding: NativeBinding, dtype: tfTypes.DataType): number | undefined {
  return { float32: binding.TF_FLOAT, int32: binding.TF_INT32, bool: binding.TF_BOOL }[dtype as string];
}
