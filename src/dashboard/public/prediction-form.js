import { classNamer, fill, fmt, h } from './dom.js';
import { featureInputs, rangeText } from './feature-inputs.js';
import { imputedText } from './feature-schema.js';
import { probabilityBars } from './decision-curves.js';

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

/** Two classes: the single signed distance to the boundary, in the order of the answer's `classes`. */
function binaryDecision(answer, p, nameOf) {
  const [below, above] = answer.classes;
  return [
    h('p', null, 'decision value ', h('strong', { id: 'predict-decision', title: String(p.decision) }, p.decision.toFixed(4)), ` (model v${answer.modelVersion})`),
    h('p', { class: 'help' }, `The signed distance to the SVM's boundary: above 0 means ${nameOf(above)}, below 0 ${nameOf(below)}; the further from 0, the clearer the case.`),
    thresholdUsed(answer, nameOf),
  ];
}

/** The operating point the label was decided at: the version's chosen threshold, else libsvm's boundary 0. */
function thresholdUsed(answer, nameOf) {
  const chosen = answer.decisionThreshold;
  const [, above] = answer.classes;
  const words = chosen
    ? `${nameOf(chosen.positive)} when its score (the decision value${chosen.positive === above ? '' : ', negated'}) is ≥ ${chosen.threshold}`
    : `libsvm's boundary 0 (above it ${nameOf(above)})`;
  return h('p', { id: 'predict-threshold', dataset: { threshold: String(chosen?.threshold ?? 0) } }, 'decided at threshold ', h('strong', null, String(chosen?.threshold ?? 0)), `: ${words}`);
}

/** More classes: one decision value per class, as the answer lists them. */
function classDecisions(answer, p, nameOf) {
  return [
    h('p', null, `decision values (model v${answer.modelVersion})`),
    h(
      'table',
      { class: 'decisions', id: 'predict-decisions' },
      h(
        'tbody',
        null,
        answer.classes.map((label) =>
          h(
            'tr',
            { dataset: { label }, class: label === p.label ? 'predicted' : null },
            h('th', { scope: 'row' }, `${nameOf(label)} (${label})`),
            h('td', { class: 'num', title: String(p.decisions[label]) }, p.decisions[label].toFixed(4)),
          ),
        ),
      ),
    ),
    h('p', { class: 'help' }, "scikit-learn's one-vs-rest decision values: each class's votes from libsvm's one-vs-one classifiers, plus a confidence between −⅓ and ⅓. The class with the most votes is predicted."),
  ];
}

/**
 * What the model made of the row: the features it imputed (with the value, from the schema of the
 * version that answered) and the categories it never saw (with the value sent).
 */
/** A feature's unit as dataset.units states it, else undefined. */
const unitOf = (units, name) => (Object.hasOwn(units, name) ? units[name] : undefined);

function rowNotes(p, row, schema, units) {
  const byName = new Map((schema ?? []).map((f) => [f.name, f]));
  const imputed = (name) => {
    const value = byName.has(name) ? imputedText(byName.get(name)) : null;
    return value === null ? name : `${name} → ${value}`;
  };
  return [
    p.outOfRange
      ? h(
          'p',
          { class: 'predict-note predict-warning', id: 'predict-out-of-range', role: 'alert' },
          h('strong', null, 'Outside the training range'),
          ` (the model extrapolates; treat this answer with care): ${p.outOfRange.map((o) => `${o.feature} = ${fmt.num(o.value)} (trained on ${rangeText(o, unitOf(units, o.feature))})`).join(', ')}`,
        )
      : null,
    p.imputed ? h('p', { class: 'predict-note', id: 'predict-imputed' }, h('strong', null, 'Imputed'), ` (missing in the row, as in training): ${p.imputed.map(imputed).join(', ')}`) : null,
    p.unknownCategories
      ? h('p', { class: 'predict-note', id: 'predict-unknown' }, h('strong', null, 'Unknown category'), ` (not seen in training, encoded as all zeros): ${p.unknownCategories.map((name) => `${name} = "${row[name]}"`).join(', ')}`)
      : null,
  ];
}

/**
 * The inputs of the active model (its feature schema, in its order), buttons that fill example
 * rows, the answer of POST /api/v1/predict with its decision value(s) and what was imputed or
 * unknown, and the form that confirms a predicted case's diagnosis.
 */
export function createPredictionForm(container, { predict, confirm }) {
  /** The active model as `setModel` got it: `{ version, featureSchema, classes, positive }`. */
  let model = null;
  let inputs = null;
  let shownSchema;
  /** Each feature's unit (dataset.units): until GET /api/v1/about answers, none. */
  let units = {};
  const result = h('div', { class: 'predict-result', id: 'predict-result', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Fill the features (or an example) and press Predict.'));
  const form = h('form', { id: 'predict-form', class: 'predict-fields' });
  const exampleButtons = h('div', { class: 'predict-buttons' });
  // Outside the form's element (so that the confirm form can sit beside it), inside it by `form`.
  const submit = h('button', { type: 'submit', class: 'primary', id: 'predict-submit', form: 'predict-form' }, 'Predict');
  const confirmForm = createConfirmForm(confirm);
  let confirmClasses;

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const row = inputs.read();
    const asked = model;
    submit.disabled = true;
    fill(result, h('p', { class: 'muted' }, 'Predicting…'));
    try {
      const answer = await predict(row);
      const p = answer.predictions[0];
      const nameOf = classNamer(asked.classes);
      fill(
        result,
        h('p', { class: `predict-answer ${p.label === asked.positive ? 'bad' : 'good'}`, id: 'predict-answer', dataset: { label: p.label } }, p.className),
        probabilityBars(answer, p, nameOf),
        p.decisions ? classDecisions(answer, p, nameOf) : binaryDecision(answer, p, nameOf),
        rowNotes(p, row, answer.modelVersion === asked.version ? asked.featureSchema : null, units),
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

  function intro(schema) {
    const categorical = schema.filter((f) => f.kind === 'categorical').length;
    const kinds = categorical === 0 ? `${schema.length} raw measurements` : `${schema.length} features (${schema.length - categorical} numeric, ${categorical} categorical)`;
    const how = categorical === 0 ? 'Leave a number empty' : 'Leave a number empty, or choose "missing",';
    const missing = schema.some((f) => f.imputedValue !== null) ? ` ${how} to send a missing value: the model imputes it as in training (the placeholder shows the value).` : '';
    return h('p', { class: 'help' }, `The ${kinds} the active model takes, as in the data set.${missing}`);
  }

  return {
    /** The features' units (GET /api/v1/about's `units`): the inputs are drawn again with them. */
    setUnits(given) {
      units = given ?? {};
      shownSchema = undefined;
      this.setModel(model);
    },
    /**
     * `active`: null with no model, else `{ version, featureSchema, classes, positive }` (the
     * schema of GET /api/v1/models/{v}, the classes and positive label of GET /api/v1/performance).
     * The inputs are rebuilt only when the schema changes, so typed values survive a refresh.
     */
    setModel(active) {
      model = active;
      if (active && JSON.stringify(active.classes) !== JSON.stringify(confirmClasses)) {
        confirmClasses = active.classes;
        confirmForm.setClasses(active.classes);
      }
      const schema = active ? active.featureSchema : undefined;
      if (JSON.stringify(schema) === JSON.stringify(shownSchema)) return;
      shownSchema = schema;
      if (!active) {
        inputs = null;
        fill(container, h('p', { class: 'muted' }, 'No model is active yet: train one first.'));
        return;
      }
      if (!schema) {
        inputs = null;
        fill(container, h('p', { class: 'muted', id: 'predict-no-schema' }, `Model v${active.version} does not describe its input features: send rows to POST /api/v1/predict directly.`));
        return;
      }
      inputs = featureInputs(schema, units);
      fill(form, intro(schema), inputs.element);
      fill(
        exampleButtons,
        inputs.examples.map((e) => h('button', { type: 'button', id: e.id, title: e.title, onclick: () => inputs.write(e.values) }, e.text)),
        h('button', { type: 'button', class: 'link', id: 'predict-clear', onclick: () => inputs.write([]) }, 'Clear'),
      );
      fill(container, layout);
    },
  };
}
