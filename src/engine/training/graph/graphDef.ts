/**
 * Writes a TensorFlow GraphDef, wrapped in a SavedModel, from nodes recorded off the native
 * binding (training/stepTrace.ts). Only the protobuf fields a graph of placeholders, constants and
 * ops needs are encoded; field numbers follow tensorflow/core/framework/{graph,node_def,attr_value,
 * tensor,tensor_shape}.proto and tensorflow/core/protobuf/{saved_model,meta_graph}.proto.
 */

/** The binding's attribute kinds (TF_AttrType values), as tfjs-node passes them to `executeOp`. */
export interface AttrKinds {
  TF_ATTR_STRING: number;
  TF_ATTR_INT: number;
  TF_ATTR_FLOAT: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_TYPE: number;
  TF_ATTR_SHAPE: number;
}

/** One op attribute as tfjs-node hands it to the binding; an array value is a list attribute, except for shapes. */
export interface OpAttr {
  name: string;
  type: number;
  value: boolean | number | object | string | number[];
}

export type GraphNode =
  | { kind: 'placeholder'; name: string; dtype: number; shape: readonly number[] }
  | { kind: 'const'; name: string; dtype: number; shape: readonly number[]; bytes: Uint8Array }
  | { kind: 'op'; name: string; op: string; inputs: readonly string[]; attrs: readonly OpAttr[]; shapes: readonly (readonly number[])[] };

/**
 * A GraphDef version new enough for every op tfjs-node runs; graph import rejects only producers
 * older than its minimum, and this one is older than the libtensorflow builds tfjs-node ships.
 */
const PRODUCER_VERSION = 1000;

export function savedModelBytes(nodes: readonly GraphNode[], kinds: AttrKinds, tag: string): Uint8Array {
  const graph = new ProtoWriter();
  for (const node of nodes) graph.message(1, (w) => writeNode(w, node, kinds));
  graph.message(4, (versions) => versions.int(1, PRODUCER_VERSION));
  const graphBytes = graph.finish();
  return new ProtoWriter()
    .int(1, 1)
    .message(2, (metaGraph) => metaGraph.message(1, (info) => info.string(4, tag)).bytes(2, graphBytes))
    .finish();
}

function writeNode(w: ProtoWriter, node: GraphNode, kinds: AttrKinds): void {
  w.string(1, node.name);
  switch (node.kind) {
    case 'placeholder':
      w.string(2, 'Placeholder');
      attr(w, 'dtype', (a) => a.int(6, node.dtype));
      attr(w, 'shape', (a) => a.message(7, (s) => writeShape(s, node.shape)));
      return;
    case 'const':
      w.string(2, 'Const');
      attr(w, 'dtype', (a) => a.int(6, node.dtype));
      attr(w, 'value', (a) => a.message(8, (t) => t.int(1, node.dtype).message(2, (s) => writeShape(s, node.shape)).bytes(4, node.bytes)));
      return;
    case 'op':
      w.string(2, node.op);
      for (const input of node.inputs) w.string(3, input);
      for (const opAttr of node.attrs) attr(w, opAttr.name, (a) => writeAttrValue(a, opAttr, kinds));
  }
}

function attr(w: ProtoWriter, name: string, value: (a: ProtoWriter) => void): void {
  w.message(5, (entry) => entry.string(1, name).message(2, value));
}

function writeShape(w: ProtoWriter, shape: readonly number[]): void {
  for (const size of shape) w.message(2, (dim) => dim.int(1, size));
}

function writeAttrValue(w: ProtoWriter, { name, type, value }: OpAttr, kinds: AttrKinds): void {
  if (type === kinds.TF_ATTR_SHAPE) {
    w.message(7, (s) => writeShape(s, value as number[]));
  } else if (Array.isArray(value)) {
    w.message(1, (list) => {
      if (type === kinds.TF_ATTR_INT) list.message(3, (packed) => value.forEach((v) => packed.varint(v)));
      else if (type === kinds.TF_ATTR_TYPE) list.message(6, (packed) => value.forEach((v) => packed.varint(v)));
      else if (type === kinds.TF_ATTR_FLOAT) list.bytes(4, new Uint8Array(Float32Array.from(value).buffer));
      else throw new Error(`list attribute ${name} of kind ${type} has no graph encoding here`);
    });
  } else if (type === kinds.TF_ATTR_INT) w.int(3, value as number);
  else if (type === kinds.TF_ATTR_FLOAT) w.float(4, value as number);
  else if (type === kinds.TF_ATTR_BOOL) w.int(5, value ? 1 : 0);
  else if (type === kinds.TF_ATTR_TYPE) w.int(6, value as number);
  else if (type === kinds.TF_ATTR_STRING) w.string(2, value as string);
  else throw new Error(`attribute ${name} of kind ${type} has no graph encoding here`);
}

/** Protobuf wire format: varints, little-endian fixed32 floats, length-delimited bytes and messages. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private pending: number[] = [];

  varint(value: number): this {
    // Negative int64 fields are ten-byte two's complement on the wire.
    let rest = BigInt.asUintN(64, BigInt(value));
    while (rest >= 0x80n) {
      this.pending.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.pending.push(Number(rest));
    return this;
  }

  int(field: number, value: number): this {
    return this.key(field, 0).varint(value);
  }

  float(field: number, value: number): this {
    this.key(field, 5);
    this.pending.push(...new Uint8Array(Float32Array.of(value).buffer));
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2).varint(value.length);
    this.flush();
    this.parts.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.parts.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  private key(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.parts.push(Uint8Array.from(this.pending));
    this.pending = [];
  }
}
