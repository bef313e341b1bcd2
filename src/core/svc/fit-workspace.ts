/**
 * Memory that consecutive fits on one thread reuse: the Q matrix's row cache and the grid
 * scoring's held-out kernel values. Fresh memory costs a page fault per 4 KiB the first time it is
 * written; at 16× the default data that was as long as computing the rows themselves. A fit takes
 * the memory as it is (stale values included) and keeps track itself of what it has written, so
 * one workspace serves one fit (or one grid group) at a time, never two at once.
 */
export class FitWorkspace {
  private rows = new Float32Array(0);
  private kernel = new Float64Array(0);

  /** `length` floats for the Q matrix's row cache. */
  qRows(length: number): Float32Array {
    if (this.rows.length < length) this.rows = new Float32Array(length);
    return this.rows.subarray(0, length);
  }

  /** `length` doubles for the kernel values between held-out and training rows. */
  heldOutKernel(length: number): Float64Array {
    if (this.kernel.length < length) this.kernel = new Float64Array(length);
    return this.kernel.subarray(0, length);
  }
}
