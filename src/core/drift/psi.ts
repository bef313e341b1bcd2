/**
 * Population stability index over fixed bins:
 *   PSI = sum_i (ref_i - cur_i) * ln(ref_i / cur_i),
 * where ref_i and cur_i are the shares of the reference and current samples in bin i. It is
 * symmetric and never negative; 0.1 is commonly read as "some shift" and >= 0.2 as a major one.
 *
 * Parity target: the PSI of Evidently's `psi_stat_test` (calculations/stattests/psi.py and
 * utils.get_binned_data), with one deliberate difference in the bins. What is the same:
 * the term is written (ref - cur) * ln(ref / cur) and summed bin by bin from the first; the
 * shares are count / n; an empty bin's share becomes 0.0001, or, if the smallest non-empty
 * share of that sample is itself <= 0.0001, that smallest share / 10^6 (so an empty bin never
 * outweighs an occupied one). What differs: Evidently bins reference and current together
 * with numpy's 'sturges' rule, so its edges move with every new batch; here the edges are
 * 10 equal-width bins over the reference's range, fixed at training time and stored with the
 * model (histogram.ts), and current values outside that range are counted in the first or last
 * bin. The numbers therefore match Evidently's formula, not Evidently's output for the same data.
 */

/** Bins of the reference profile's histograms and of the PSI. */
export const PSI_BINS = 10;
/** Evidently's share for an empty bin, so that ln(ref / cur) stays finite. */
export const PSI_EMPTY_BIN_SHARE = 0.0001;

/** `get_binned_data`'s shares, with empty bins filled as Evidently's `feel_zeroes` does. */
export function binShares(counts: readonly number[]): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  if (total === 0) throw new RangeError('binShares needs at least one counted value');
  const shares = counts.map((c) => c / total);
  let smallest = Infinity;
  for (const s of shares) if (s !== 0 && s < smallest) smallest = s;
  const fill = smallest <= PSI_EMPTY_BIN_SHARE ? smallest / 10 ** 6 : PSI_EMPTY_BIN_SHARE;
  return shares.map((s) => (s === 0 ? fill : s));
}

/** PSI of two histograms over the same bins (counts, not shares). */
export function populationStabilityIndex(referenceCounts: readonly number[], currentCounts: readonly number[]): number {
  if (referenceCounts.length !== currentCounts.length || referenceCounts.length === 0) {
    throw new RangeError(
      `PSI needs two histograms over the same bins, got ${referenceCounts.length} and ${currentCounts.length} bins`,
    );
  }
  const ref = binShares(referenceCounts);
  const cur = binShares(currentCounts);
  let psi = 0;
  for (let i = 0; i < ref.length; i++) psi += (ref[i] - cur[i]) * Math.log(ref[i] / cur[i]);
  return psi;
}
