import { fmt, h, listTable } from './dom.js';

/**
 * What a missing value of a feature becomes, as the model's `featureSchema` (GET
 * /api/v1/models/{v}) says: the fitted imputer's mean, median or most frequent value; null when the
 * model cannot impute (models trained before missing values were accepted refuse them).
 */
export const imputedText = (feature) => (feature.imputedValue === null ? null : typeof feature.imputedValue === 'number' ? fmt.num(feature.imputedValue) : feature.imputedValue);

function featureRow(f) {
  const imputed = imputedText(f);
  return h(
    'tr',
    { dataset: { feature: f.name, kind: f.kind } },
    h('td', { class: 'mono' }, f.name),
    h(
      'td',
      { class: 'reason' },
      f.kind,
      f.kind === 'categorical' ? h('div', { class: 'small muted feature-categories', title: 'the categories learned in training; any other is unknown to the model (encoded as all zeros)' }, (f.categories ?? []).join(' · ') || 'none') : null,
    ),
    h('td', { class: 'feature-imputed', title: f.imputedValue === null ? 'this model refuses a missing value' : String(f.imputedValue) }, imputed ?? h('span', { class: 'muted' }, 'refused')),
  );
}

/**
 * The active model's input features (name, kind, learned categories, what a missing value
 * becomes), folded under a summary line; `open` keeps the fold as the reader left it across redraws.
 */
export function featureSchemaView(schema, { open = false, onToggle } = {}) {
  if (!schema) return h('p', { class: 'muted small', id: 'features' }, 'This model does not describe its input features (an artifact format the server does not read).');
  const categorical = schema.filter((f) => f.kind === 'categorical').length;
  return h(
    'details',
    { class: 'features', id: 'features', open, ontoggle: (event) => onToggle?.(event.currentTarget.open) },
    h('summary', null, h('strong', null, 'Input features'), ` · ${schema.length - categorical} numeric, ${categorical} categorical`),
    h('div', { class: 'table-wrap' }, listTable('features-table', ['Feature', 'Kind', 'If missing'], schema.map(featureRow), 'No features.')),
    h('p', { class: 'help' }, 'A prediction row may leave a feature missing (null): it becomes the value on the right, learned from the training rows. A category not listed is accepted and flagged as unknown.'),
  );
}
