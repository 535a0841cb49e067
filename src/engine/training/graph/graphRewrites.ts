/**
 * Rewrites of a traced step that give TensorFlow a faster kernel for the same arithmetic. One so
 * far: a convolution to a single output channel (the last layer of every grayscale decoder) runs
 * as a depthwise convolution summed over channels. A [kh, kw, C, 1] filter already is a depthwise
 * filter with channel multiplier 1, and oneDNN computes the depthwise form about three times
 * faster than its one-channel Conv2D, whose time is mostly re-laying out the C-channel input
 * (bench/README.md). The compiled step's replay check compares the rewritten graph against the
 * eager step, so a rewrite that changed a result would keep training eager.
 */
import type { AttrKinds, GraphNode } from './graphDef';

type OpNode = Extract<GraphNode, { kind: 'op' }>;

export function withFasterKernels(nodes: readonly GraphNode[], kinds: AttrKinds & { TF_INT32: number }): GraphNode[] {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const shapeOf = (ref: string): readonly number[] | undefined => {
    const [name, output] = ref.split(':');
    const node = byName.get(name!);
    if (!node) return undefined;
    return node.kind === 'op' ? node.shapes[Number(output ?? 0)] : node.shape;
  };

  const singleChannelConv = (node: OpNode): GraphNode[] | undefined => {
    if (node.op !== 'Conv2D') return undefined;
    const [x, filter] = node.inputs as [string, string];
    const filterShape = shapeOf(filter);
    const attr = (name: string) => node.attrs.find((a) => a.name === name)?.value;
    const ones = (value: unknown) => Array.isArray(value) && value.every((v) => v === 1);
    const plain = attr('data_format') === 'NHWC' && (attr('padding') === 'SAME' || attr('padding') === 'VALID') && ones(attr('strides')) && ones(attr('dilations') ?? [1, 1, 1, 1]);
    if (!plain || filterShape?.length !== 4 || filterShape[3] !== 1) return undefined;
    const keep = ['T', 'strides', 'padding', 'data_format', 'dilations'];
    const depthwise: OpNode = { kind: 'op', name: `${node.name}/depthwise`, op: 'DepthwiseConv2dNative', inputs: [x, filter], attrs: node.attrs.filter((a) => keep.includes(a.name)), shapes: [[...node.shapes[0]!.slice(0, 3), filterShape[2]!]] };
    const channelAxis: GraphNode = { kind: 'const', name: `${node.name}/channels`, dtype: kinds.TF_INT32, shape: [], bytes: new Uint8Array(Int32Array.of(3).buffer) };
    const sum: OpNode = {
      ...node,
      op: 'Sum',
      inputs: [depthwise.name, channelAxis.name],
      attrs: [...node.attrs.filter((a) => a.name === 'T'), { name: 'keep_dims', type: kinds.TF_ATTR_BOOL, value: true }, { name: 'Tidx', type: kinds.TF_ATTR_TYPE, value: kinds.TF_INT32 }],
    };
    return [depthwise, channelAxis, sum];
  };

  return nodes.flatMap((node) => (node.kind === 'op' ? (singleChannelConv(node) ?? [node]) : [node]));
}
