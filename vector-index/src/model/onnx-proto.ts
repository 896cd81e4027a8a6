import protobuf from 'protobufjs';

/**
 * The part of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto3, field numbers
 * unchanged) needed to write a model: enough to build the generated graphs without any ONNX
 * tooling on the machine.
 */
const ONNX_SUBSET = `
syntax = "proto3";
package onnx;
message AttributeProto {
  string name = 1; float f = 2; int64 i = 3; bytes s = 4;
  repeated float floats = 7; repeated int64 ints = 8; int32 type = 20;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message NodeProto {
  repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4;
  repeated AttributeProto attribute = 5; string domain = 7;
}
message StringStringEntryProto { string key = 1; string value = 2; }
message ModelProto {
  int64 ir_version = 1; string producer_name = 2; string producer_version = 3; string domain = 4;
  int64 model_version = 5; string doc_string = 6; GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8; repeated StringStringEntryProto metadata_props = 14;
}
message GraphProto {
  repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5; string doc_string = 10;
  repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
}
message TensorProto {
  repeated int64 dims = 1; int32 data_type = 2; repeated float float_data = 4; string name = 8; bytes raw_data = 9;
}
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
}
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
`;

export const ModelProto = protobuf.parse(ONNX_SUBSET).root.lookupType('onnx.ModelProto');

export const FLOAT = 1;
export const INT64 = 7;
const ATTRIBUTE = { INT: 2, FLOAT: 1, INTS: 7 } as const;

type Attribute = { name: string; type: number; i?: number; f?: number; ints?: number[] };
export const ints = (name: string, values: number[]): Attribute => ({ name, type: ATTRIBUTE.INTS, ints: values });
export const int = (name: string, value: number): Attribute => ({ name, type: ATTRIBUTE.INT, i: value });
export const float = (name: string, value: number): Attribute => ({ name, type: ATTRIBUTE.FLOAT, f: value });

/** One operator; its output is named after the node. */
export function node(opType: string, input: string[], output: string, attribute: Attribute[] = []) {
  return { opType, input, output: [output], name: output, attribute };
}

/** A float32 constant; large ones go as raw little-endian bytes, which protobuf copies in one piece. */
export function tensor(name: string, dims: number[], values: number[] | Float32Array) {
  return values instanceof Float32Array
    ? { name, dims, dataType: FLOAT, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) }
    : { name, dims, dataType: FLOAT, floatData: values };
}

/** An int64 constant, e.g. a shape for Reshape. */
export function int64Tensor(name: string, values: number[]) {
  return {
    name,
    dims: [values.length],
    dataType: INT64,
    rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer),
  };
}

/** A float32 graph input or output; string dimensions are named free ones such as the batch. */
export function valueInfo(name: string, dims: (number | string)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/**
 * x / sqrt(sum(x^2) + epsilon): L2 normalisation that stays finite for an all-zero half (a
 * single-colour image has no gradients), where ONNX's LpNormalization would divide by zero. Needs
 * a [1] initializer named `epsilon`.
 */
export function l2Normalise(input: string, output: string) {
  return [
    node('ReduceSumSquare', [input], `${output}_sum`, [ints('axes', [1]), int('keepdims', 1)]),
    node('Add', [`${output}_sum`, 'epsilon'], `${output}_sum_eps`),
    node('Sqrt', [`${output}_sum_eps`], `${output}_norm`),
    node('Div', [input, `${output}_norm`], output),
  ];
}

/** The model file's bytes for `graph`, opset 17, with our model id in its metadata. */
export function encodeModel(id: string, docString: string, graph: Record<string, unknown>): Uint8Array {
  const proto = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'visual-search-pipeline',
    producerVersion: '1',
    modelVersion: 1,
    docString,
    graph: { name: id, ...graph },
    opsetImport: [{ domain: '', version: 17 }],
    metadataProps: [{ key: 'model_id', value: id }],
  });
  return ModelProto.encode(proto).finish();
}
