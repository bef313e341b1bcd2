/**
 * Equal-width histograms over a reference sample's range, as numpy 1.24 computes them:
 * `np.histogram_bin_edges(reference, bins)` for the edges and `np.histogram(values, edges)`
 * for the counts. The drift report uses one set of edges per feature, fixed at training time,
 * for both the PSI and the dashboard's small histograms, so the picture shows the very bins the
 * number was computed from.
 */

/**
 * `np.histogram_bin_edges(values, bins=bins)`: bins + 1 edges, `np.linspace(min, max, bins + 1)`,
 * widened to min - 0.5 .. max + 0.5 for a constant sample. linspace computes i * step + min
 * and sets the last edge to max exactly, so the first and last edges are the sample's range.
 */
export function histogramBinEdges(values: ArrayLike<number>, bins: number): number[] {
  if (values.length === 0) throw new RangeError('histogramBinEdges needs at least one value');
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  let first = values[0];
  let last = values[0];
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    if (v < first) first = v;
    if (v > last) last = v;
  }
  if (!Number.isFinite(first) || !Number.isFinite(last)) {
    throw new RangeError(`autodetected range of [${first}, ${last}] is not finite`);
  }
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const delta = last - first;
  const step = delta / bins;
  const edges = new Array<number>(bins + 1);
  for (let i = 0; i < bins; i++) {
    // linspace's guard for a subnormal step: scale by i / div before multiplying by delta.
    edges[i] = (step === 0 ? (i / bins) * delta : i * step) + first;
  }
  edges[bins] = last;
  return edges;
}

/**
 * `np.histogram(np.clip(values, edges[0], edges[-1]), edges)`: numpy's half-open bins
 * [e_i, e_i+1) with the last one closed, after moving every value outside the edges onto the
 * nearest edge. Plain `np.histogram` would drop those values; for drift they are the most
 * telling ones (a shift beyond the training range), and PSI needs every value in some bin for
 * the shares to add up to 1.
 */
export function binCounts(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  if (bins < 1) throw new RangeError('binCounts needs at least two edges');
  const first = edges[0];
  const last = edges[bins];
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) throw new RangeError(`value ${i} is NaN`);
    counts[binIndex(v < first ? first : v > last ? last : v, edges, bins)]++;
  }
  return counts;
}

/** The last bin i (0 <= i < bins) with edges[i] <= v, for v within the edges. */
function binIndex(v: number, edges: readonly number[], bins: number): number {
  let lo = 0;
  let hi = bins - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid] <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
