/** How a feature enters the model: as a number, or as one of a set of categories (one-hot encoded). */
export const featureKinds = ['numeric', 'categorical'] as const;
export type FeatureKind = (typeof featureKinds)[number];

export interface FeatureSpec {
  readonly name: string;
  readonly kind: FeatureKind;
  /** Categorical only: the distinct non-missing values in the whole table, in scikit-learn's order
   *  (numeric order when every one of them is a number, e.g. codes forced categorical; else code-point order). */
  readonly categories?: readonly string[];
}

/** Features that are all numbers (the bundled data, and every model trained before categories were read). */
export function numericFeatures(names: readonly string[]): FeatureSpec[] {
  return names.map((name) => ({ name, kind: 'numeric' }));
}
