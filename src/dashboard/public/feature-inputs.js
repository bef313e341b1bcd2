import { fmt, h } from './dom.js';
import { imputedText } from './feature-schema.js';

/** The Wisconsin data set's columns: ten measures, each as mean, standard error and worst value. */
const measures = ['radius', 'texture', 'perimeter', 'area', 'smoothness', 'compactness', 'concavity', 'concave points', 'symmetry', 'fractal_dimension'];
const parts = ['mean', 'se', 'worst'];
const partWords = { mean: 'mean', se: 'std. error', worst: 'worst' };
const wdbcColumns = parts.flatMap((p) => measures.map((m) => `${m}_${p}`));

/** Two real rows of data/wdbc.csv, in its column order: the first malignant one (the tutorial's example) and a benign one. */
const wdbcExamples = {
  malignant: [
    17.99, 10.38, 122.8, 1001, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871, 1.095, 0.9053, 8.589, 153.4, 0.006399, 0.04904, 0.05373, 0.01587, 0.03003, 0.006193, 25.38, 17.33, 184.6, 2019, 0.1622,
    0.6656, 0.7119, 0.2654, 0.4601, 0.1189,
  ],
  benign: [
    13.54, 14.36, 87.46, 566.3, 0.09779, 0.08129, 0.06664, 0.04781, 0.1885, 0.05766, 0.2699, 0.7886, 2.058, 23.56, 0.008462, 0.0146, 0.02387, 0.01315, 0.0198, 0.0023, 15.11, 19.26, 99.7, 711.2,
    0.144, 0.1773, 0.239, 0.1288, 0.2977, 0.07259,
  ],
};

const isWdbcFeature = (f) => f.kind === 'numeric' && wdbcColumns.includes(f.name);

/** `6.981 – 28.11 µm`: a training range, in the feature's unit when the configuration states one. */
export function rangeText(range, unit) {
  return `${fmt.num(range.min)} – ${fmt.num(range.max)}${unit ? ` ${unit}` : ''}`;
}

/**
 * A number input. Empty means missing (sent as null) when the model can impute the feature: the
 * placeholder shows the value it will use. A model that cannot impute it needs a number. Below it,
 * the feature's training range, in its unit when `dataset.units` states one (else in the data's own
 * units, which the WDBC documentation does not name): the answer flags a value far outside it.
 */
function numberControl(f, unit) {
  const imputed = imputedText(f);
  const range = f.trainingRange ? rangeText(f.trainingRange, unit) : unit ?? null;
  const input = h('input', {
    type: 'number',
    step: 'any',
    name: f.name,
    'aria-label': f.name,
    inputmode: 'decimal',
    class: 'feature-input',
    required: imputed === null,
    placeholder: imputed,
    title: `${imputed === null ? `${f.name}: required (this model cannot impute a missing value)` : `${f.name}: leave empty for a missing value, imputed as ${f.imputedValue}`}${range ? `; ${f.trainingRange ? 'trained on ' : 'in '}${range}` : ''}`,
  });
  return {
    element: range ? h('span', { class: 'feature-number' }, input, h('span', { class: 'feature-range', dataset: unit ? { unit } : {}, title: f.trainingRange ? `the training rows' range: a value far outside it is flagged in the answer` : 'unit' }, range)) : input,
    read: () => (input.value === '' ? null : Number(input.value)),
    write: (value) => (input.value = value === null || value === undefined ? '' : String(value)),
  };
}

/**
 * A select of the categories the model learned, "missing" (sent as null, imputed) first, and
 * "other…" with a text field for a value the model never saw: it is sent as typed, and the model
 * encodes it as all zeros (OneHotEncoder(handle_unknown="ignore")). Which option is chosen is read
 * from its position, so a category named like the extra options stays itself.
 */
function categoryControl(f) {
  const categories = f.categories ?? [];
  const imputed = imputedText(f);
  const first =
    imputed === null
      ? h('option', { value: '', disabled: true, selected: true }, 'choose…')
      : h('option', { value: '', title: `missing: imputed as ${imputed}` }, `missing (→ ${imputed})`);
  const select = h(
    'select',
    { name: f.name, 'aria-label': f.name, class: 'feature-input feature-select', required: imputed === null },
    first,
    categories.map((c) => h('option', { value: c }, c)),
    h('option', { value: 'other…', title: 'a value not seen in training: the model flags it as unknown' }, 'other…'),
  );
  const other = h('input', { type: 'text', class: 'feature-input feature-other', 'aria-label': `${f.name}: a value not seen in training`, placeholder: 'not seen in training', autocomplete: 'off', hidden: true, disabled: true });
  const isOther = () => select.selectedIndex === categories.length + 1;
  const sync = () => {
    other.hidden = !isOther();
    other.disabled = !isOther();
    other.required = isOther();
  };
  select.addEventListener('change', () => {
    sync();
    if (isOther()) other.focus();
  });
  return {
    element: h('span', { class: 'feature-choice' }, select, other),
    read: () => (select.selectedIndex <= 0 ? null : isOther() ? other.value : categories[select.selectedIndex - 1]),
    write(value) {
      const k = value === null || value === undefined ? -1 : categories.indexOf(String(value));
      select.selectedIndex = value === null || value === undefined ? 0 : k >= 0 ? k + 1 : categories.length + 1;
      other.value = k < 0 && value !== null && value !== undefined ? String(value) : '';
      sync();
    },
  };
}

/** The WDBC layout: a row per measure, a column per statistic. Other data sets get a plain grid. */
function layout(schema, controls) {
  const isWdbc = schema.length === wdbcColumns.length && schema.every(isWdbcFeature);
  if (!isWdbc) {
    return h(
      'div',
      { class: 'feature-grid' },
      schema.map((f, k) => h('label', { class: 'feature', dataset: { feature: f.name, kind: f.kind } }, h('span', null, f.name, f.kind === 'categorical' ? h('span', { class: 'muted' }, ' (category)') : null), controls[k].element)),
    );
  }
  const byName = new Map(schema.map((f, k) => [f.name, controls[k].element]));
  return h(
    'table',
    { class: 'feature-table' },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'measure'), parts.map((p) => h('th', { scope: 'col' }, partWords[p])))),
    h('tbody', null, measures.map((m) => h('tr', null, h('th', { scope: 'row' }, m.replace('_', ' ')), parts.map((p) => h('td', null, byName.get(`${m}_${p}`)))))),
  );
}

/**
 * Rows that fill the form: the two real WDBC rows when the model takes the WDBC measurements, and
 * for any model that imputes every feature, its imputed values (a typical row: the training
 * rows' means or medians and most frequent categories).
 */
function examplesFor(schema) {
  const examples = [];
  if (schema.every(isWdbcFeature)) {
    examples.push({ id: 'fill-malignant', text: 'Fill a malignant example', values: schema.map((f) => wdbcExamples.malignant[wdbcColumns.indexOf(f.name)]) });
    examples.push({ id: 'fill-benign', text: 'Fill a benign example', values: schema.map((f) => wdbcExamples.benign[wdbcColumns.indexOf(f.name)]) });
  }
  if (schema.every((f) => f.imputedValue !== null)) {
    examples.push({ id: 'fill-imputed', text: 'Fill typical values', title: "each feature's imputed value, learned from the training rows", values: schema.map((f) => f.imputedValue) });
  }
  return examples;
}

/**
 * The inputs for a model's `featureSchema` (GET /api/v1/models/{v}), in its feature order, with
 * `units` by feature name (dataset.units, from GET /api/v1/about):
 * `element` to show, `read()` the row keyed by feature name (null for a missing value), `write(values)`
 * in feature order (null or undefined: missing), and the example rows that fill them.
 */
export function featureInputs(schema, units = {}) {
  const controls = schema.map((f) => (f.kind === 'categorical' ? categoryControl(f) : numberControl(f, Object.hasOwn(units, f.name) ? units[f.name] : undefined)));
  return {
    element: layout(schema, controls),
    examples: examplesFor(schema),
    read: () => Object.fromEntries(schema.map((f, k) => [f.name, controls[k].read()])),
    write: (values) => controls.forEach((c, k) => c.write(values[k])),
  };
}
