export type FeatureKind = 'numeric' | 'categorical';

export interface FeatureSpec {
  readonly name: string;
  readonly kind: FeatureKind;
  /** Categorical only: distinct non-missing values of the whole table in scikit-learn's order (numeric order if all are numbers, else code-point). */
  readonly categories?: readonly string[];
}
