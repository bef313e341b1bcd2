import { classNamer, fill, h } from './dom.js';

/** The Wisconsin data set's columns: ten measures, each as mean, standard error and worst value. */
const measures = ['radius', 'texture', 'perimeter', 'area', 'smoothness', 'compactness', 'concavity', 'concave points', 'symmetry', 'fractal_dimension'];
const parts = ['mean', 'se', 'worst'];
const partWords = { mean: 'mean', se: 'std. error', worst: 'worst' };
const wdbcColumns = parts.flatMap((p) => measures.map((m) => `${m}_${p}`));

/** Two real rows of data/wdbc.csv, in its column order: the first malignant one (the tutorial's example) and a benign one. */
const examples = {
  malignant: [
    17.99, 10.38, 122.8, 1001, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871, 1.095, 0.9053, 8.589, 153.4, 0.006399, 0.04904, 0.05373, 0.01587, 0.03003, 0.006193, 25.38, 17.33, 184.6, 2019, 0.1622,
    0.6656, 0.7119, 0.2654, 0.4601, 0.1189,
  ],
  benign: [
    13.54, 14.36, 87.46, 566.3, 0.09779, 0.08129, 0.06664, 0.04781, 0.1885, 0.05766, 0.2699, 0.7886, 2.058, 23.56, 0.008462, 0.0146, 0.02387, 0.01315, 0.0198, 0.0023, 15.11, 19.26, 99.7, 711.2,
    0.144, 0.1773, 0.239, 0.1288, 0.2977, 0.07259,
  ],
};

const input = (name) => h('input', { type: 'number', step: 'any', required: true, name, 'aria-label': name, inputmode: 'decimal', class: 'feature-input' });

/** The WDBC layout: a row per measure, a column per statistic. Other data sets get a plain grid. */
function inputsFor(featureNames) {
  const isWdbc = featureNames.length === wdbcColumns.length && featureNames.every((n) => wdbcColumns.includes(n));
  if (!isWdbc) return h('div', { class: 'feature-grid' }, featureNames.map((n) => h('label', { class: 'feature' }, h('span', null, n), input(n))));
  return h(
    'table',
    { class: 'feature-table' },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'measure'), parts.map((p) => h('th', { scope: 'col' }, partWords[p])))),
    h('tbody', null, measures.map((m) => h('tr', null, h('th', { scope: 'row' }, m.replace('_', ' ')), parts.map((p) => h('td', null, input(`${m}_${p}`)))))),
  );
}

/**
 * "Confirm a diagnosis": POST /api/v1/feedback for one prediction id (the last answer's, or any
 * other), one button per class. It is its own form beside the prediction form, not inside it: a
 * form cannot hold another, and Enter in the id field must not predict.
 */
function createConfirmForm(confirm) {
  let nameOf = classNamer([]);
  const id = h('input', { id: 'confirm-id', name: 'predictionId', required: true, autocomplete: 'off', spellcheck: 'false', class: 'mono confirm-id', placeholder: 'predictionId of an answer' });
  const buttons = h('div', { class: 'confirm-buttons' });
  const result = h('p', { class: 'confirm-result', id: 'confirm-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { id: 'confirm-form', class: 'confirm-form' },
    h('h3', { class: 'subhead' }, 'Confirm a diagnosis'),
    h('p', { class: 'help' }, 'When pathology has the true diagnosis of a predicted case, record it here (or with POST /api/v1/feedback): live performance is measured on confirmed cases.'),
    h('label', { for: 'confirm-id', class: 'small' }, 'Prediction id'),
    id,
    buttons,
    result,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const actual = event.submitter?.value;
    if (!actual || !form.reportValidity()) return;
    const all = [...buttons.querySelectorAll('button')];
    all.forEach((b) => (b.disabled = true));
    result.className = 'confirm-result muted';
    result.textContent = 'Recording…';
    try {
      const outcome = await confirm(id.value.trim(), actual);
      result.className = 'confirm-result good';
      result.dataset.status = outcome.status;
      result.textContent = outcome.status === 'recorded' ? `Recorded: this case is confirmed ${nameOf(actual)}.` : `Already confirmed ${nameOf(actual)}: nothing changed.`;
    } catch (error) {
      result.className = 'confirm-result bad';
      result.dataset.status = 'error';
      result.textContent = error.name === 'Cancelled' ? 'Cancelled.' : error.message;
    } finally {
      all.forEach((b) => (b.disabled = false));
    }
  });
  return {
    form,
    /** The model's classes as GET /api/v1/performance lists them: `{ label, name }` in label order. */
    setClasses(classes) {
      nameOf = classNamer(classes);
      fill(
        buttons,
        h('span', { class: 'small muted' }, 'confirmed as'),
        [...classes].reverse().map(({ label, name }) => h('button', { type: 'submit', name: 'actual', value: label, id: `confirm-${label}` }, `${name} (${label})`)),
      );
    },
    /** The case just predicted: its id, ready to confirm. */
    offer(predictionId) {
      id.value = predictionId;
      result.textContent = '';
      delete result.dataset.status;
    },
  };
}

/**
 * The 30 inputs of the active model (its own feature names, in its order), two buttons that fill
 * real rows of the data set, the answer of POST /api/v1/predict with its decision value, and the
 * form that confirms a predicted case's diagnosis.
 */
export function createPredictionForm(container, { predict, confirm }) {
  let featureNames = null;
  /** `{ label, name }` per class, in label order: the last one is the SVM's positive side. */
  let classes = [];
  const result = h('div', { class: 'predict-result', id: 'predict-result', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Fill the measurements (or an example) and press Predict.'));
  const form = h('form', { id: 'predict-form', class: 'predict-fields' });
  const exampleButtons = h('div', { class: 'predict-buttons' });
  // Outside the form's element (so that the confirm form can sit beside it), inside it by `form`.
  const submit = h('button', { type: 'submit', class: 'primary', id: 'predict-submit', form: 'predict-form' }, 'Predict');
  const confirmForm = createConfirmForm(confirm);

  const setRow = (values) => featureNames.forEach((name, k) => (form.elements.namedItem(name).value = values[k] === undefined ? '' : String(values[k])));
  const fillExample = (kind) => setRow(featureNames.map((n) => examples[kind][wdbcColumns.indexOf(n)]));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const row = Object.fromEntries(featureNames.map((n) => [n, Number(form.elements.namedItem(n).value)]));
    submit.disabled = true;
    fill(result, h('p', { class: 'muted' }, 'Predicting…'));
    try {
      const answer = await predict(row);
      const p = answer.predictions[0];
      const [below, above] = [classes[0], classes[classes.length - 1]];
      const positive = p.label === above?.label;
      fill(
        result,
        h('p', { class: `predict-answer ${positive ? 'bad' : 'good'}`, id: 'predict-answer', dataset: { label: p.label } }, p.className),
        h('p', null, 'decision value ', h('strong', { id: 'predict-decision', title: String(p.decision) }, p.decision.toFixed(4)), ` (model v${answer.modelVersion})`),
        h('p', { class: 'help' }, `The signed distance to the SVM's boundary: above 0 means ${above?.name}, below 0 ${below?.name}; the further from 0, the clearer the case.`),
        h('p', { class: 'small predict-id' }, 'prediction id ', h('code', { id: 'predict-id' }, p.predictionId)),
      );
      confirmForm.offer(p.predictionId);
    } catch (error) {
      fill(result, h('p', { class: 'bad', id: 'predict-error' }, error.name === 'Cancelled' ? 'Cancelled.' : error.message));
    } finally {
      submit.disabled = false;
    }
  });

  const layout = h('div', { class: 'predict-layout' }, form, h('div', { class: 'predict-side' }, exampleButtons, submit, result, confirmForm.form));
  fill(container, h('p', { class: 'muted' }, 'No model is active yet: train one first.'));

  return {
    /**
     * Rebuilds the inputs only when the feature names change, so typed values survive a refresh;
     * `modelClasses` as GET /api/v1/performance lists them.
     */
    setModel(names, modelClasses) {
      if (modelClasses && JSON.stringify(modelClasses) !== JSON.stringify(classes)) {
        classes = modelClasses;
        confirmForm.setClasses(classes);
      }
      if (JSON.stringify(names) === JSON.stringify(featureNames)) return;
      featureNames = names;
      if (!names) {
        fill(container, h('p', { class: 'muted' }, 'No model is active yet: train one first.'));
        return;
      }
      fill(form, h('p', { class: 'help' }, `The ${names.length} raw measurements the active model takes, as in the data set.`), inputsFor(names));
      const known = names.every((n) => wdbcColumns.includes(n));
      fill(
        exampleButtons,
        known ? h('button', { type: 'button', id: 'fill-malignant', onclick: () => fillExample('malignant') }, 'Fill a malignant example') : null,
        known ? h('button', { type: 'button', id: 'fill-benign', onclick: () => fillExample('benign') }, 'Fill a benign example') : null,
        h('button', { type: 'button', class: 'link', onclick: () => form.reset() }, 'Clear'),
      );
      fill(container, layout);
    },
  };
}
