/**
 * A fitted `Pipeline([ColumnTransformer([imputer → MinMaxScaler] numeric, [imputer → OneHotEncoder]
 * categorical), SVC(kernel='rbf')])` written as one ONNX model of `ai.onnx.ml` operators (`Imputer`,
 * `Scaler`, `LabelEncoder`, `OneHotEncoder`, `SVMClassifier`) and a few standard ones (`Gather`,
 * `Flatten`, `Concat`), which ONNX Runtime and other ONNX engines run in float32.
 *
 * Inputs: `input`, float [N, numeric features] (NaN = missing), and, when the model has categorical
 * features, `categorical`, string [N, categorical features] (the category's text; "" = missing; a
 * text the model did not learn is encoded as all zeros, as scikit-learn's handle_unknown="ignore").
 * Each input holds its features in table order, as the metadata's `numeric_features` and
 * `categorical_features` list them.
 */
import type { ModelArtifact } from '../model-artifact.js';
import type { AttributeProto, Dimension, NodeProto, TensorProto, ValueInfoProto } from './onnx-proto.js';
import { AttributeType, encodeModelProto, TensorDataType } from './onnx-proto.js';

/**
 * What the exporter needs of a fitted pipeline, in libsvm's conventions (not scikit-learn's, whose
 * signs differ between binary and multi-class models), for k ≥ 2 classes one-vs-one.
 */
export interface OnnxSvcPipeline {
  /** Every input feature, in table order. */
  readonly featureNames: readonly string[];
  /**
   * Which of `featureNames` are numeric (indices, ascending): the columns of the float input, whose
   * imputer and scaler come first in the SVC's input. All of them when absent.
   */
  readonly numericColumns?: readonly number[];
  /** The numeric SimpleImputer's statistics (one per numeric column), or absent for no imputer. */
  readonly imputer?: readonly number[];
  /** The fitted MinMaxScaler's `X * scale + min` (one per numeric column), or null for none. */
  readonly scaler: { readonly scale: readonly number[]; readonly min: readonly number[] } | null;
  /** The categorical features, in table order: each one-hot encoded after the numeric block. */
  readonly categorical?: readonly OnnxCategoricalFeature[];
  /** Sorted class labels: the order of `nSupport` and of every per-class output. */
  readonly classes: readonly string[];
  readonly gamma: number;
  /** Support vectors of each class (libsvm's `nSV`, scikit-learn's `n_support_`). */
  readonly nSupport: readonly number[];
  /** Row-major, one row per support vector, grouped by class in `classes` order. */
  readonly supportVectors: readonly number[];
  /** libsvm's `sv_coef`: k − 1 rows, each with one value per support vector. */
  readonly svCoef: readonly (readonly number[])[];
  /**
   * libsvm's `rho` of each class pair (0,1), (0,2), …, (1,2), …: the pair's decision value is
   * Σ coef · K(x, sv) − rho, and a positive value votes for the pair's first class.
   */
  readonly rho: readonly number[];
  /** Platt scaling of each class pair (libsvm's `probA`, `probB`), if the model has probabilities. */
  readonly probA?: readonly number[];
  readonly probB?: readonly number[];
}

export interface OnnxCategoricalFeature {
  /** Index into `featureNames`. */
  readonly column: number;
  /** The categories the encoder learned, in its output order (scikit-learn's `categories_`). */
  readonly categories: readonly string[];
  /** What a missing value ("") becomes: the most frequent training category, one of `categories`. */
  readonly imputed: string;
}

/** Where the model came from, written in the ONNX model's `metadata_props`. */
export interface OnnxExportMetadata {
  /** mloop's own version (also the ONNX `producer_version`). */
  readonly mloopVersion: string;
  /** The model version in mloop's registry (also the ONNX `model_version`). */
  readonly modelVersion: number;
  readonly dataSnapshotHash: string;
  /** The promotion gate's verdict on this model, as mloop words it. */
  readonly gateVerdict: string;
}

/** Names of the exported model's input and outputs. */
export const onnxNames = { input: 'input', categorical: 'categorical', label: 'label', decision: 'decision', probabilities: 'probabilities' } as const;

/** The categorical input's missing value. */
export const ONNX_MISSING_CATEGORY = '';

export class OnnxExportError extends Error {
  override readonly name = 'OnnxExportError';
}

const ML = 'ai.onnx.ml';
const BATCH: Dimension = { dimParam: 'N' };

/** The ONNX model's bytes (the contents of a `.onnx` file). Pure: the same input gives the same bytes. */
export function exportOnnx(pipeline: OnnxSvcPipeline, metadata: OnnxExportMetadata): Uint8Array {
  checkPipeline(pipeline);
  const k = pipeline.classes.length;
  const pairs = (k * (k - 1)) / 2;
  const nodes: NodeProto[] = [];
  const initializer: TensorProto[] = [];
  const inputs: ValueInfoProto[] = [];
  const numericColumns = numericColumnsOf(pipeline);
  const categorical = pipeline.categorical ?? [];
  const names = (columns: readonly number[]) => columns.map((j) => pipeline.featureNames[j]);
  // The blocks of the SVC's input, in the ColumnTransformer's order: numeric, then each one-hot.
  const blocks: string[] = [];

  if (numericColumns.length > 0) {
    inputs.push(tensorInfo(onnxNames.input, TensorDataType.FLOAT, [BATCH, { dimValue: numericColumns.length }], `numeric features in this order (NaN = missing): ${names(numericColumns).join(', ')}`));
    let features: string = onnxNames.input;
    if (pipeline.imputer) {
      // replaced_value_float defaults to 0: NaN must be named, and ONNX Runtime then tests isnan.
      nodes.push(node('Imputer', [features], ['imputed'], ML, [floats('imputed_value_floats', pipeline.imputer, (j) => `the value imputed for feature '${names(numericColumns)[j]}'`), float('replaced_value_float', Number.NaN)]));
      features = 'imputed';
    }
    if (pipeline.scaler) {
      // ONNX's Scaler computes (X − offset) · scale; MinMaxScaler's X · scale + min is that with
      // offset = −min / scale. (skl2onnx divides by scale + 1e-8 against a zero scale, which moves
      // the offset by up to 4e-5 of itself for wdbc's widest feature; a fitted scale is never 0.)
      const { scale, min } = pipeline.scaler;
      const offset = min.map((m, j) => -m / scale[j]);
      nodes.push(node('Scaler', [features], ['scaled'], ML, [floats('offset', offset, (j) => `the scaler's offset of feature '${names(numericColumns)[j]}'`), floats('scale', scale, (j) => `the scaler's scale of feature '${names(numericColumns)[j]}'`)]));
      features = 'scaled';
    }
    blocks.push(features);
  }

  if (categorical.length > 0) {
    inputs.push(
      tensorInfo(
        onnxNames.categorical,
        TensorDataType.STRING,
        [BATCH, { dimValue: categorical.length }],
        `categorical features in this order ("${ONNX_MISSING_CATEGORY}" = missing): ${names(categorical.map((c) => c.column)).join(', ')}`,
      ),
    );
    categorical.forEach((feature, c) => {
      // One column → its category's index (the imputed one's for "", −1 for a category not learned)
      // → OneHotEncoder, whose zeros=1 writes all zeros for −1: handle_unknown="ignore".
      const codes = feature.categories.map((_, i) => i);
      initializer.push({ name: `categorical_${c}_index`, dims: [1], dataType: TensorDataType.INT64, int64Data: [c] });
      nodes.push(node('Gather', [onnxNames.categorical, `categorical_${c}_index`], [`categorical_${c}`], '', [int('axis', 1)], `Gather_categorical_${c}`));
      nodes.push(
        node(
          'LabelEncoder',
          [`categorical_${c}`],
          [`categorical_${c}_code`],
          ML,
          [texts('keys_strings', [...feature.categories, ONNX_MISSING_CATEGORY]), ints('values_int64s', [...codes, feature.categories.indexOf(feature.imputed)]), int('default_int64', -1)],
          `LabelEncoder_categorical_${c}`,
        ),
      );
      nodes.push(node('OneHotEncoder', [`categorical_${c}_code`], [`categorical_${c}_onehot`], ML, [ints('cats_int64s', codes), int('zeros', 1)], `OneHotEncoder_categorical_${c}`));
      // [N, 1, categories] → [N, categories]
      nodes.push(node('Flatten', [`categorical_${c}_onehot`], [`categorical_${c}_block`], '', [int('axis', 1)], `Flatten_categorical_${c}`));
      blocks.push(`categorical_${c}_block`);
    });
  }

  let features = blocks[0];
  if (blocks.length > 1) {
    nodes.push(node('Concat', blocks, ['features'], '', [int('axis', 1)]));
    features = 'features';
  }

  const width = numericColumns.length + categorical.reduce((n, c) => n + c.categories.length, 0);
  const svm: AttributeProto[] = [
    text('kernel_type', 'RBF'),
    floats('kernel_params', [pipeline.gamma, 0, 0]),
    ints('vectors_per_class', pipeline.nSupport),
    floats('support_vectors', pipeline.supportVectors, (i) => `support vector ${Math.floor(i / width)}'s value ${i % width} (as the SVC sees it: after imputing and scaling)`),
    floats('coefficients', pipeline.svCoef.flat()),
    // ONNX adds rho where libsvm subtracts it: each pair's score is then libsvm's decision value,
    // positive for the pair's first class, as ONNX Runtime's votes expect.
    floats('rho', pipeline.rho.map((r) => -r)),
    texts('classlabels_strings', pipeline.classes),
    text('post_transform', 'NONE'),
  ];
  if (k === 2) {
    // For two classes SVMClassifier writes the scores [−d, d] where d is libsvm's value (d > 0 means
    // classes[0]); column 0 is scikit-learn's decision_function, positive for classes[1].
    nodes.push(node('SVMClassifier', [features], [onnxNames.label, 'pair_scores'], ML, svm));
    initializer.push({ name: 'first_column', dims: [1], dataType: TensorDataType.INT64, int64Data: [0] });
    nodes.push(node('Gather', ['pair_scores', 'first_column'], [onnxNames.decision], '', [int('axis', 1)]));
  } else {
    // For k > 2 the scores are libsvm's one-vs-one values, which scikit-learn's ovo
    // decision_function returns unchanged.
    nodes.push(node('SVMClassifier', [features], [onnxNames.label, onnxNames.decision], ML, svm));
  }
  const outputs = [tensorInfo(onnxNames.label, TensorDataType.STRING, [BATCH]), tensorInfo(onnxNames.decision, TensorDataType.FLOAT, [BATCH, { dimValue: pairs }])];

  if (pipeline.probA && pipeline.probB) {
    // With prob_a/prob_b the operator's scores become the probabilities instead of the decision
    // values, so a second node gives them: it costs a second kernel pass, for Platt models only.
    // Its label (libsvm's vote, as the first node's) is not an output.
    const platt = [...svm, floats('prob_a', pipeline.probA), floats('prob_b', pipeline.probB)];
    nodes.push(node('SVMClassifier', [features], ['label_of_probability_node', onnxNames.probabilities], ML, platt, 'SVMClassifierProbabilities'));
    outputs.push(tensorInfo(onnxNames.probabilities, TensorDataType.FLOAT, [BATCH, { dimValue: k }]));
  }

  return encodeModelProto({
    irVersion: 8,
    opsetImport: [
      { domain: '', version: 13 },
      // LabelEncoder's keys_strings → values_int64s is version 2; the other ML operators are version 1.
      { domain: ML, version: categorical.length > 0 ? 2 : 1 },
    ],
    producerName: 'mloop',
    producerVersion: metadata.mloopVersion,
    modelVersion: metadata.modelVersion,
    docString: describeOutputs(pipeline),
    graph: {
      name: 'mloop_pipeline',
      node: nodes,
      initializer,
      input: inputs,
      output: outputs,
    },
    metadataProps: [
      { key: 'mloop_version', value: metadata.mloopVersion },
      { key: 'model_version', value: String(metadata.modelVersion) },
      { key: 'data_snapshot_hash', value: metadata.dataSnapshotHash },
      { key: 'feature_names', value: JSON.stringify(pipeline.featureNames) },
      { key: 'numeric_features', value: JSON.stringify(names(numericColumns)) },
      { key: 'categorical_features', value: JSON.stringify(names(categorical.map((c) => c.column))) },
      { key: 'categories', value: JSON.stringify(Object.fromEntries(categorical.map((c) => [pipeline.featureNames[c.column], c.categories]))) },
      { key: 'classes', value: JSON.stringify(pipeline.classes) },
      { key: 'gate_verdict', value: metadata.gateVerdict },
    ],
  });
}

/**
 * The exporter's view of an mloop model artifact: libsvm's layout, `svCoef` split into its k − 1
 * rows. A model upgraded from before missing values were accepted has no imputer statistics (NaN):
 * it is exported without an Imputer, and a missing value gives NaN scores where mloop refuses it.
 */
export function onnxSvcPipeline(artifact: ModelArtifact): OnnxSvcPipeline {
  const { svc, preprocessor, decisionThreshold } = artifact;
  // SVMClassifier labels by libsvm's vote; a moved boundary would need nodes after it, which no
  // test against ONNX Runtime covers yet: refused rather than exported with other labels.
  if (decisionThreshold) {
    throw new OnnxExportError(
      `cannot export to ONNX: the model labels '${decisionThreshold.positive}' at decision threshold ${decisionThreshold.threshold} (${decisionThreshold.source === 'manual' ? `set by hand on v${decisionThreshold.fromVersion}` : `monitor.targetRecall ${decisionThreshold.targetRecall}`}), which ONNX's SVMClassifier cannot apply`,
    );
  }
  const { numeric, categorical, features } = preprocessor;
  const statistics = numeric?.imputer.statistics ?? [];
  const imputes = statistics.length > 0 && !statistics.every((v) => Number.isNaN(v));
  const scaler = numeric?.scaler ?? null;
  return {
    featureNames: artifact.featureNames,
    numericColumns: numeric?.columns ?? [],
    ...(imputes ? { imputer: statistics } : {}),
    scaler: scaler ? { scale: scaler.scale, min: scaler.min } : null,
    categorical: (categorical?.columns ?? []).map((column, k) => ({
      column,
      categories: categorical?.encoder.categories[k] ?? [],
      // The imputer's statistic is a code into the table's categories.
      imputed: (features[column].categories ?? [])[categorical?.imputer.statistics[k] ?? -1] ?? '',
    })),
    classes: svc.classes,
    gamma: svc.gamma,
    nSupport: svc.nSupport,
    supportVectors: svc.supportVectors,
    svCoef: Array.from({ length: svc.classes.length - 1 }, (_, r) => svc.svCoef.slice(r * svc.support.length, (r + 1) * svc.support.length)),
    rho: svc.rho,
    ...(svc.probA && svc.probB ? { probA: svc.probA, probB: svc.probB } : {}),
  };
}

function numericColumnsOf(p: OnnxSvcPipeline): readonly number[] {
  return p.numericColumns ?? p.featureNames.map((_, j) => j);
}

function describeOutputs(pipeline: OnnxSvcPipeline): string {
  const k = pipeline.classes.length;
  const lines = [
    `An RBF SVC${pipeline.scaler ? ' after a MinMaxScaler' : ''} exported by mloop.`,
    ...(numericColumnsOf(pipeline).length > 0 ? [`Input "${onnxNames.input}": float32 [N, ${numericColumnsOf(pipeline).length}], the raw numeric features (NaN = missing${pipeline.imputer ? ', imputed as in training' : ': not imputed, do not send'}).`] : []),
    ...((pipeline.categorical ?? []).length > 0
      ? [`Input "${onnxNames.categorical}": string [N, ${(pipeline.categorical ?? []).length}], the categorical features' text ("" = missing, imputed as in training; an unknown category is encoded as all zeros).`]
      : []),
    `"${onnxNames.label}": the predicted class (libsvm's one-vs-one vote, as scikit-learn's predict).`,
    k === 2
      ? `"${onnxNames.decision}": [N, 1], scikit-learn's decision_function: > 0 means ${pipeline.classes[1]}.`
      : `"${onnxNames.decision}": [N, ${(k * (k - 1)) / 2}], scikit-learn's decision_function with decision_function_shape='ovo': one column per class pair (0,1), (0,2), ..., > 0 votes for the pair's first class.`,
  ];
  if (pipeline.probA) lines.push(`"${onnxNames.probabilities}": [N, ${k}], Platt probabilities per class (scikit-learn's predict_proba).`);
  return lines.join('\n');
}

function checkPipeline(p: OnnxSvcPipeline): void {
  const k = p.classes.length;
  const pairs = (k * (k - 1)) / 2;
  const numeric = numericColumnsOf(p);
  const categorical = p.categorical ?? [];
  const nNum = numeric.length;
  const width = nNum + categorical.reduce((n, c) => n + c.categories.length, 0);
  const nSv = p.nSupport.reduce((a, b) => a + b, 0);
  const fail = (message: string): never => {
    throw new OnnxExportError(`cannot export to ONNX: ${message}`);
  };
  if (k < 2) fail(`an SVC needs at least 2 classes, got ${k}`);
  if (new Set(p.classes).size !== k) fail(`class labels must be distinct, got ${JSON.stringify(p.classes)}`);
  if (p.featureNames.length < 1) fail('no feature names');
  const inputs = [...numeric, ...categorical.map((c) => c.column)].sort((a, b) => a - b);
  if (!inputs.every((j, i) => j === i) || inputs.length !== p.featureNames.length) fail(`every feature must be numeric or categorical, once: numeric ${JSON.stringify(numeric)}, categorical ${JSON.stringify(categorical.map((c) => c.column))} for ${p.featureNames.length} features`);
  categorical.forEach((c) => {
    const name = p.featureNames[c.column];
    if (c.categories.length < 1) fail(`categorical feature '${name}' has no categories`);
    if (new Set(c.categories).size !== c.categories.length) fail(`categorical feature '${name}' repeats a category`);
    if (c.categories.includes(ONNX_MISSING_CATEGORY)) fail(`categorical feature '${name}' has the empty category, which the ONNX input uses for a missing value`);
    if (!c.categories.includes(c.imputed)) fail(`categorical feature '${name}' imputes ${JSON.stringify(c.imputed)}, which is not one of its categories`);
  });
  if (p.nSupport.length !== k) fail(`nSupport has ${p.nSupport.length} entries for ${k} classes`);
  if (!p.nSupport.every((n) => Number.isInteger(n) && n > 0)) fail(`every class needs support vectors, nSupport is ${JSON.stringify(p.nSupport)}`);
  if (p.supportVectors.length !== nSv * width) fail(`supportVectors has ${p.supportVectors.length} values, expected ${nSv} vectors × ${width} features`);
  if (p.svCoef.length !== k - 1) fail(`svCoef has ${p.svCoef.length} rows, expected k − 1 = ${k - 1}`);
  const shortRow = p.svCoef.findIndex((row) => row.length !== nSv);
  if (shortRow >= 0) fail(`svCoef row ${shortRow} has ${p.svCoef[shortRow].length} values, expected ${nSv}`);
  if (p.rho.length !== pairs) fail(`rho has ${p.rho.length} values, expected one per class pair (${pairs})`);
  if (!(p.gamma > 0)) fail(`gamma must be > 0, got ${p.gamma}`);
  if (p.imputer && p.imputer.length !== nNum) fail(`the imputer has ${p.imputer.length} statistics for ${nNum} numeric features`);
  if (p.scaler && (p.scaler.scale.length !== nNum || p.scaler.min.length !== nNum)) fail(`the scaler has ${p.scaler.scale.length} scales and ${p.scaler.min.length} minimums for ${nNum} features`);
  if (p.scaler && !p.scaler.scale.every((s) => s !== 0)) fail('a scaler scale is 0');
  if ((p.probA === undefined) !== (p.probB === undefined)) fail('probA and probB go together');
  if (p.probA && p.probA.length !== pairs) fail(`probA has ${p.probA.length} values, expected ${pairs}`);
  if (p.probB && p.probB.length !== pairs) fail(`probB has ${p.probB.length} values, expected ${pairs}`);
}

function node(opType: string, input: readonly string[], output: readonly string[], domain: string, attribute: readonly AttributeProto[], name = opType): NodeProto {
  return { opType, input, output, domain, attribute, name };
}

/**
 * Attribute floats are float32 in ONNX: a value that does not fit would become ±Infinity. `what`
 * says what value `i` is, in the user's words.
 */
function floats(name: string, values: readonly number[], what?: (i: number) => string): AttributeProto {
  values.forEach((v, i) => {
    if (!Number.isFinite(Math.fround(v))) {
      throw new OnnxExportError(`cannot export to ONNX: ${what ? `${what(i)}, ` : ''}${name}[${i}] = ${v}, is not a finite float32 (ONNX's operators compute in float32, whose largest value is 3.4e38)`);
    }
  });
  return { name, type: AttributeType.FLOATS, floats: values };
}

function float(name: string, value: number): AttributeProto {
  return { name, type: AttributeType.FLOAT, f: value };
}

function ints(name: string, values: readonly number[]): AttributeProto {
  return { name, type: AttributeType.INTS, ints: values };
}

function int(name: string, value: number): AttributeProto {
  return { name, type: AttributeType.INT, i: value };
}

const utf8 = new TextEncoder();

function text(name: string, value: string): AttributeProto {
  return { name, type: AttributeType.STRING, s: utf8.encode(value) };
}

function texts(name: string, values: readonly string[]): AttributeProto {
  return { name, type: AttributeType.STRINGS, strings: values.map((v) => utf8.encode(v)) };
}

function tensorInfo(name: string, elemType: number, dim: readonly Dimension[], docString?: string): ValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim } } }, ...(docString ? { docString } : {}) };
}
