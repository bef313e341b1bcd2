/**
 * Memory that consecutive fits on one thread reuse: the Q matrix's row cache and the grid
 * scoring's held-out kernel values. Fresh memory costs a page fault per 4 KiB the first time it is
 * written; at 16× the default data that was as long as computing the rows themselves. A fit takes
 * the memory as it is (stale values included) and keeps track itself of what it has written, so
 * one workspace serves one fit (or one grid group) at a time, never two at once.
 */
export class FitWorkspace {
  private readonly rows: Float32Array[] = [];
  private kernel = new Float64Array(0);

  /**
   * `length` floats for the row cache of Q matrix number `slot`: a multi-class problem keeps one
   * Q matrix per pair of classes, all alive while the grid search solves them for each C.
   */
  qRows(length: number, slot = 0): Float32Array {
    if ((this.rows[slot]?.length ?? 0) < length) this.rows[slot] = new Float32Array(length);
    return this.rows[slot].subarray(0, length);
  }

  /** `length` doubles for the kernel values between held-out and training rows. */
  heldOutKernel(length: number): Float64Array {
    if (this.kernel.length < length) this.kernel = new Float64Array(length);
    return this.kernel.subarray(0, length);
  }
}
