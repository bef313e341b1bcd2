/**
 * The part of ONNX's `onnx.proto` (IR version 8) that a model of `ai.onnx.ml` operators needs, as a
 * protobufjs descriptor, and the message shapes in TypeScript. Field numbers and wire types are
 * those of onnx.proto; fields mloop never writes (sparse tensors, training info, functions) are left
 * out, which protobuf allows: a reader sees them as absent.
 */
import protobuf from 'protobufjs/light.js';

/** `TensorProto.DataType` values used here. */
export const TensorDataType = { FLOAT: 1, INT64: 7, STRING: 8 } as const;

/** `AttributeProto.AttributeType` values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface AttributeProto {
  readonly name: string;
  readonly type: number;
  readonly f?: number;
  readonly i?: number;
  readonly s?: Uint8Array;
  readonly floats?: readonly number[];
  readonly ints?: readonly number[];
  readonly strings?: readonly Uint8Array[];
}

export interface NodeProto {
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly attribute: readonly AttributeProto[];
}

export interface TensorProto {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: number;
  readonly int64Data?: readonly number[];
}

/** A dimension is a size or a symbolic name (`dim_param`) for a size known at run time. */
export interface Dimension {
  readonly dimValue?: number;
  readonly dimParam?: string;
}

export interface ValueInfoProto {
  readonly name: string;
  readonly type: { readonly tensorType: { readonly elemType: number; readonly shape: { readonly dim: readonly Dimension[] } } };
  readonly docString?: string;
}

export interface GraphProto {
  readonly node: readonly NodeProto[];
  readonly name: string;
  readonly initializer: readonly TensorProto[];
  readonly docString?: string;
  readonly input: readonly ValueInfoProto[];
  readonly output: readonly ValueInfoProto[];
}

export interface OperatorSetIdProto {
  readonly domain: string;
  readonly version: number;
}

export interface StringStringEntryProto {
  readonly key: string;
  readonly value: string;
}

export interface ModelProto {
  readonly irVersion: number;
  readonly opsetImport: readonly OperatorSetIdProto[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly domain?: string;
  readonly modelVersion?: number;
  readonly docString?: string;
  readonly graph: GraphProto;
  readonly metadataProps: readonly StringStringEntryProto[];
}

const optional = (type: string, id: number) => ({ type, id });
const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });
// onnx.proto marks TensorProto's numeric data [packed = true]; everything else is proto2's default.
const packed = (type: string, id: number) => ({ rule: 'repeated', type, id, options: { packed: true } });

const descriptor = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: optional('string', 1),
            type: optional('int32', 20),
            f: optional('float', 2),
            i: optional('int64', 3),
            s: optional('bytes', 4),
            floats: repeated('float', 7),
            ints: repeated('int64', 8),
            strings: repeated('bytes', 9),
          },
        },
        ValueInfoProto: { fields: { name: optional('string', 1), type: optional('TypeProto', 2), docString: optional('string', 3) } },
        NodeProto: {
          fields: {
            input: repeated('string', 1),
            output: repeated('string', 2),
            name: optional('string', 3),
            opType: optional('string', 4),
            domain: optional('string', 7),
            attribute: repeated('AttributeProto', 5),
            docString: optional('string', 6),
          },
        },
        ModelProto: {
          fields: {
            irVersion: optional('int64', 1),
            opsetImport: repeated('OperatorSetIdProto', 8),
            producerName: optional('string', 2),
            producerVersion: optional('string', 3),
            domain: optional('string', 4),
            modelVersion: optional('int64', 5),
            docString: optional('string', 6),
            graph: optional('GraphProto', 7),
            metadataProps: repeated('StringStringEntryProto', 14),
          },
        },
        StringStringEntryProto: { fields: { key: optional('string', 1), value: optional('string', 2) } },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1),
            name: optional('string', 2),
            initializer: repeated('TensorProto', 5),
            docString: optional('string', 10),
            input: repeated('ValueInfoProto', 11),
            output: repeated('ValueInfoProto', 12),
          },
        },
        TensorProto: {
          fields: {
            dims: repeated('int64', 1),
            dataType: optional('int32', 2),
            floatData: packed('float', 4),
            int64Data: packed('int64', 7),
            name: optional('string', 8),
            docString: optional('string', 12),
          },
        },
        TensorShapeProto: {
          fields: { dim: repeated('Dimension', 1) },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: optional('int64', 1), dimParam: optional('string', 2), denotation: optional('string', 3) },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: { tensorType: optional('Tensor', 1), denotation: optional('string', 6) },
          nested: { Tensor: { fields: { elemType: optional('int32', 1), shape: optional('TensorShapeProto', 2) } } },
        },
        OperatorSetIdProto: { fields: { domain: optional('string', 1), version: optional('int64', 2) } },
      },
    },
  },
};

const modelType = protobuf.Root.fromJSON(descriptor).lookupType('onnx.ModelProto');

/** The `.onnx` file's bytes. */
export function encodeModelProto(model: ModelProto): Uint8Array {
  const problem = modelType.verify(model);
  // A wrong field here is a bug in the exporter, not bad user input: fail before writing bytes.
  if (problem) throw new Error(`invalid ONNX ModelProto: ${problem}`);
  return modelType.encode(model).finish();
}

/** Reads a `.onnx` file's bytes back (int64 fields as numbers), e.g. to check what an export wrote. */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  return modelType.toObject(modelType.decode(bytes), { longs: Number, defaults: false, arrays: true }) as ModelProto;
}
