/**
 * Peephole rewrites of a traced step into the op forms TensorFlow's graph optimiser fuses. tfjs
 * expresses a layer's bias as a broadcasting `Add`, its gradient as a `Sum` over all but the last
 * axis, and our ReLU gradient as `dy · sign(relu(x))`; as `BiasAdd`, `BiasAddGrad` and `ReluGrad`
 * — the same arithmetic — Grappler's remapper and oneDNN fold them into the convolutions and
 * matrix products around them (fused conv + bias + ReLU, a filter gradient that also yields the
 * bias gradient), as they do for Keras. One rewrite picks a faster kernel instead: a convolution
 * to a single output channel (the last layer of every grayscale decoder) runs as a depthwise
 * convolution summed over channels, which oneDNN computes about three times faster than its
 * one-channel Conv2D (bench/README.md). The compiled step's replay check compares the rewritten
 * graph against the eager step, so a rewrite that changed a result would keep training eager.
 */
import type { AttrKinds, GraphNode, OpAttr } from './graphDef';

type OpNode = Extract<GraphNode, { kind: 'op' }>;

export function withFusableOps(nodes: readonly GraphNode[], kinds: AttrKinds & { TF_INT32: number }): GraphNode[] {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const nodeOf = (ref: string) => byName.get(ref.split(':')[0]!);
  const shapeOf = (ref: string): readonly number[] | undefined => {
    const node = nodeOf(ref);
    if (!node) return undefined;
    return node.kind === 'op' ? node.shapes[Number(ref.split(':')[1] ?? 0)] : node.shape;
  };
  const typeAttr = (node: OpNode): OpAttr | undefined => node.attrs.find((attr) => attr.name === 'T');
  const nhwc: OpAttr = { name: 'data_format', type: kinds.TF_ATTR_STRING, value: 'NHWC' };

  /** The 1-D bias behind `ref` when adding it to `x` adds one value per last-axis channel: itself, or what a [1, …, 1, C] reshape reshaped. */
  const channelBias = (ref: string, x: readonly number[]): string | undefined => {
    const channels = x.at(-1);
    const shape = shapeOf(ref);
    if (x.length < 2 || !shape) return undefined;
    if (shape.length === 1 && shape[0] === channels) return ref;
    const node = nodeOf(ref);
    const ones = shape.length === x.length && shape.at(-1) === channels && shape.slice(0, -1).every((size) => size === 1);
    if (ones && node?.kind === 'op' && node.op === 'Reshape') return channelBias(node.inputs[0]!, x);
    return undefined;
  };

  const rewrite = (node: OpNode): OpNode => {
    const T = typeAttr(node);
    if (!T) return node;
    const [a, b] = node.inputs as [string, string];
    if (node.op === 'Add' || node.op === 'AddV2') {
      for (const [x, bias] of [[a, b], [b, a]] as const) {
        const xShape = shapeOf(x);
        const biasRef = xShape && sameShape(xShape, node.shapes[0]) ? channelBias(bias, xShape) : undefined;
        if (biasRef) return { ...node, op: 'BiasAdd', inputs: [x, biasRef], attrs: [T, nhwc] };
      }
    }
    if (node.op === 'Mul') {
      for (const [dy, factor] of [[a, b], [b, a]] as const) {
        const sign = nodeOf(factor);
        const relu = sign?.kind === 'op' && sign.op === 'Sign' ? nodeOf(sign.inputs[0]!) : undefined;
        if (sign?.kind === 'op' && relu?.kind === 'op' && relu.op === 'Relu' && sameShape(shapeOf(dy), node.shapes[0]) && sameShape(shapeOf(factor), node.shapes[0])) {
          return { ...node, op: 'ReluGrad', inputs: [dy, sign.inputs[0]!], attrs: [T] };
        }
      }
    }
    if (node.op === 'Sum') {
      const xShape = shapeOf(a);
      const axes = nodeOf(b);
      const keepDims = node.attrs.find((attr) => attr.name === 'keep_dims')?.value === true;
      if (xShape && xShape.length >= 2 && !keepDims && axes?.kind === 'const' && axes.dtype === kinds.TF_INT32 && isLeadingAxes(axes, xShape.length)) {
        return { ...node, op: 'BiasAddGrad', inputs: [a], attrs: [T, nhwc] };
      }
    }
    return node;
  };

  const singleChannelConv = (node: OpNode): GraphNode[] | undefined => {
    if (node.op !== 'Conv2D') return undefined;
    const [x, filter] = node.inputs as [string, string];
    const filterShape = shapeOf(filter);
    const attr = (name: string) => node.attrs.find((a) => a.name === name)?.value;
    const ones = (value: unknown) => Array.isArray(value) && value.every((v) => v === 1);
    const plain = attr('data_format') === 'NHWC' && (attr('padding') === 'SAME' || attr('padding') === 'VALID') && ones(attr('strides')) && ones(attr('dilations') ?? [1, 1, 1, 1]);
    if (!plain || filterShape?.length !== 4 || filterShape[3] !== 1) return undefined;
    // A [kh, kw, C, 1] filter is already a depthwise filter with channel multiplier 1; summing its C outputs is the convolution.
    const keep = ['T', 'strides', 'padding', 'data_format', 'dilations'];
    const depthwise: OpNode = { kind: 'op', name: `${node.name}/depthwise`, op: 'DepthwiseConv2dNative', inputs: [x, filter], attrs: node.attrs.filter((a) => keep.includes(a.name)), shapes: [[...node.shapes[0]!.slice(0, 3), filterShape[2]!]] };
    const axis: GraphNode = { kind: 'const', name: `${node.name}/channels`, dtype: kinds.TF_INT32, shape: [], bytes: new Uint8Array(Int32Array.of(3).buffer) };
    const sum: OpNode = {
      ...node,
      op: 'Sum',
      inputs: [depthwise.name, axis.name],
      attrs: [...node.attrs.filter((a) => a.name === 'T'), { name: 'keep_dims', type: kinds.TF_ATTR_BOOL, value: true }, { name: 'Tidx', type: kinds.TF_ATTR_TYPE, value: kinds.TF_INT32 }],
    };
    return [depthwise, axis, sum];
  };
  return nodes.flatMap((node) => (node.kind === 'op' ? (singleChannelConv(node) ?? [rewrite(node)]) : [node]));
}

function sameShape(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((size, i) => size === b[i]);
}

/** Whether an int32 constant holds exactly the axes 0 … rank − 2. */
function isLeadingAxes(axes: Extract<GraphNode, { kind: 'const' }>, rank: number): boolean {
  if (axes.bytes.length !== 4 * (rank - 1)) return false;
  const values = new Int32Array(axes.bytes.slice().buffer);
  return values.every((axis, i) => axis === i);
}
