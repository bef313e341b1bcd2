import { readFileSync } from 'node:fs';
const { parseDataset } = await import('/work/main/dist/core/dataset.js');
const { splitDataset } = await import('/work/main/dist/core/training.js');
const { takeRows, take } = await import('/work/main/dist/core/matrix.js');
const { fitPipeline } = await import('/work/main/dist/core/pipeline.js');
const { createPredictor } = await import('/work/main/dist/core/predictor.js');
const ds = parseDataset(readFileSync('/work/main/data/wdbc.csv', 'utf8'), { label: 'diagnosis', positive: 'M', drop: ['id'] });
const { train } = splitDataset(ds, { testSize: 0.2, randomState: 20, stratify: false });
const p = await fitPipeline({ mode: 'normalized', C: 1, gamma: 'scale', grid: { C: [1], gamma: [1] }, cv: 5 }, takeRows(ds.x, train), take(ds.y, train), ds.featureNames);
const N = 4000; const cols = 30;
const x = new Float64Array(N * cols); for (let r = 0; r < N; r++) x.set(ds.x.data.subarray((r % 569) * cols, (r % 569 + 1) * cols), r * cols);

function make(pipeline, W) {
  const svc = pipeline.svc; const cols = svc.nFeatures;
  const sv = Float64Array.from(svc.supportVectors); const coef = Float64Array.from(svc.svCoef); const nSv = coef.length;
  const scale = Float64Array.from(pipeline.scaler.scale); const shift = Float64Array.from(pipeline.scaler.min);
  const negGamma = -svc.gamma; const rho = svc.rho; const z = new Float64Array(cols);
  const blocks = nSv - (nSv % 4);
  return (x, rows) => {
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let c = 0; c < cols; c++) z[c] = x[o + c] * scale[c] + shift[c];
      let sum = 0; let s = 0;
      for (; s < blocks; s += 4) {
        const a0 = s * cols, a1 = a0 + cols, a2 = a1 + cols, a3 = a2 + cols;
        let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        for (let c = 0; c < cols; c++) {
          const v = z[c];
          const e0 = v - sv[a0 + c]; d0 += e0 * e0;
          const e1 = v - sv[a1 + c]; d1 += e1 * e1;
          const e2 = v - sv[a2 + c]; d2 += e2 * e2;
          const e3 = v - sv[a3 + c]; d3 += e3 * e3;
        }
        sum += coef[s] * Math.exp(negGamma * d0);
        sum += coef[s + 1] * Math.exp(negGamma * d1);
        sum += coef[s + 2] * Math.exp(negGamma * d2);
        sum += coef[s + 3] * Math.exp(negGamma * d3);
      }
      for (; s < nSv; s++) {
        const a = s * cols; let d = 0;
        for (let c = 0; c < cols; c++) { const e = z[c] - sv[a + c]; d += e * e; }
        sum += coef[s] * Math.exp(negGamma * d);
      }
      out[r] = -(sum - rho);
    }
    return out;
  };
}
// interleaved layout: sv transposed in blocks of 4
function make2(pipeline) {
  const svc = pipeline.svc; const cols = svc.nFeatures;
  const svRaw = svc.supportVectors; const coef = Float64Array.from(svc.svCoef); const nSv = coef.length;
  const blocks = nSv >> 2; const tail = nSv & 3;
  const sv4 = new Float64Array(blocks * 4 * cols);
  for (let b = 0; b < blocks; b++) for (let c = 0; c < cols; c++) for (let j = 0; j < 4; j++) sv4[(b * cols + c) * 4 + j] = svRaw[(b * 4 + j) * cols + c];
  const svT = Float64Array.from(svRaw.slice(blocks * 4 * cols));
  const scale = Float64Array.from(pipeline.scaler.scale); const shift = Float64Array.from(pipeline.scaler.min);
  const negGamma = -svc.gamma; const rho = svc.rho; const z = new Float64Array(cols);
  return (x, rows) => {
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let c = 0; c < cols; c++) z[c] = x[o + c] * scale[c] + shift[c];
      let sum = 0;
      for (let b = 0; b < blocks; b++) {
        let d0 = 0, d1 = 0, d2 = 0, d3 = 0; let i = b * cols * 4;
        for (let c = 0; c < cols; c++, i += 4) {
          const v = z[c];
          const e0 = v - sv4[i]; d0 += e0 * e0;
          const e1 = v - sv4[i + 1]; d1 += e1 * e1;
          const e2 = v - sv4[i + 2]; d2 += e2 * e2;
          const e3 = v - sv4[i + 3]; d3 += e3 * e3;
        }
        const s = b * 4;
        sum += coef[s] * Math.exp(negGamma * d0);
        sum += coef[s + 1] * Math.exp(negGamma * d1);
        sum += coef[s + 2] * Math.exp(negGamma * d2);
        sum += coef[s + 3] * Math.exp(negGamma * d3);
      }
      for (let t = 0; t < tail; t++) {
        const a = t * cols; let d = 0;
        for (let c = 0; c < cols; c++) { const e = z[c] - svT[a + c]; d += e * e; }
        sum += coef[blocks * 4 + t] * Math.exp(negGamma * d);
      }
      out[r] = -(sum - rho);
    }
    return out;
  };
}

function make8(pipeline) {
  const svc = pipeline.svc; const cols = svc.nFeatures;
  const sv = Float64Array.from(svc.supportVectors); const coef = Float64Array.from(svc.svCoef); const nSv = coef.length;
  const scale = Float64Array.from(pipeline.scaler.scale); const shift = Float64Array.from(pipeline.scaler.min);
  const negGamma = -svc.gamma; const rho = svc.rho; const z = new Float64Array(cols);
  const blocks = nSv - (nSv % 8);
  return (x, rows) => {
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let c = 0; c < cols; c++) z[c] = x[o + c] * scale[c] + shift[c];
      let sum = 0; let s = 0;
      for (; s < blocks; s += 8) {
        const a0 = s * cols, a1 = a0 + cols, a2 = a1 + cols, a3 = a2 + cols, a4 = a3 + cols, a5 = a4 + cols, a6 = a5 + cols, a7 = a6 + cols;
        let d0 = 0, d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0, d6 = 0, d7 = 0;
        for (let c = 0; c < cols; c++) {
          const v = z[c];
          const e0 = v - sv[a0 + c]; d0 += e0 * e0;
          const e1 = v - sv[a1 + c]; d1 += e1 * e1;
          const e2 = v - sv[a2 + c]; d2 += e2 * e2;
          const e3 = v - sv[a3 + c]; d3 += e3 * e3;
          const e4 = v - sv[a4 + c]; d4 += e4 * e4;
          const e5 = v - sv[a5 + c]; d5 += e5 * e5;
          const e6 = v - sv[a6 + c]; d6 += e6 * e6;
          const e7 = v - sv[a7 + c]; d7 += e7 * e7;
        }
        sum += coef[s] * Math.exp(negGamma * d0);
        sum += coef[s + 1] * Math.exp(negGamma * d1);
        sum += coef[s + 2] * Math.exp(negGamma * d2);
        sum += coef[s + 3] * Math.exp(negGamma * d3);
        sum += coef[s + 4] * Math.exp(negGamma * d4);
        sum += coef[s + 5] * Math.exp(negGamma * d5);
        sum += coef[s + 6] * Math.exp(negGamma * d6);
        sum += coef[s + 7] * Math.exp(negGamma * d7);
      }
      for (; s < nSv; s++) {
        const a = s * cols; let d = 0;
        for (let c = 0; c < cols; c++) { const e = z[c] - sv[a + c]; d += e * e; }
        sum += coef[s] * Math.exp(negGamma * d);
      }
      out[r] = -(sum - rho);
    }
    return out;
  };
}
// 4 rows x 1 SV interleave
function makeR4(pipeline) {
  const svc = pipeline.svc; const cols = svc.nFeatures;
  const sv = Float64Array.from(svc.supportVectors); const coef = Float64Array.from(svc.svCoef); const nSv = coef.length;
  const scale = Float64Array.from(pipeline.scaler.scale); const shift = Float64Array.from(pipeline.scaler.min);
  const negGamma = -svc.gamma; const rho = svc.rho; const z = new Float64Array(cols * 4);
  const one = make(pipeline);
  return (x, rows) => {
    const out = new Float64Array(rows);
    const full = rows - (rows % 4);
    for (let r = 0; r < full; r += 4) {
      const o = r * cols;
      for (let c = 0; c < 4 * cols; c++) { const k = c % cols; z[c] = x[o + c] * scale[k] + shift[k]; }
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let s = 0; s < nSv; s++) {
        const a = s * cols; let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        for (let c = 0; c < cols; c++) {
          const w = sv[a + c];
          const e0 = z[c] - w; d0 += e0 * e0;
          const e1 = z[cols + c] - w; d1 += e1 * e1;
          const e2 = z[2 * cols + c] - w; d2 += e2 * e2;
          const e3 = z[3 * cols + c] - w; d3 += e3 * e3;
        }
        const k = coef[s];
        s0 += k * Math.exp(negGamma * d0); s1 += k * Math.exp(negGamma * d1); s2 += k * Math.exp(negGamma * d2); s3 += k * Math.exp(negGamma * d3);
      }
      out[r] = -(s0 - rho); out[r + 1] = -(s1 - rho); out[r + 2] = -(s2 - rho); out[r + 3] = -(s3 - rho);
    }
    if (full < rows) out.set(one(x.subarray(full * cols), rows - full), full);
    return out;
  };
}
function noexp(pipeline) {
  const f = make(pipeline); const save = Math.exp; return (x, n) => { Math.exp = (v) => v; try { return f(x, n); } finally { Math.exp = save; } };
}

function makeT(pipeline, W) {
  const svc = pipeline.svc; const cols = svc.nFeatures;
  const svRaw = svc.supportVectors; const coef = Float64Array.from(svc.svCoef); const nSv = coef.length;
  const blocks = Math.floor(nSv / W); const tail = nSv - blocks * W;
  const svW = new Float64Array(blocks * W * cols);
  for (let b = 0; b < blocks; b++) for (let c = 0; c < cols; c++) for (let j = 0; j < W; j++) svW[(b * cols + c) * W + j] = svRaw[(b * W + j) * cols + c];
  const svT = Float64Array.from(svRaw.slice(blocks * W * cols));
  const scale = Float64Array.from(pipeline.scaler.scale); const shift = Float64Array.from(pipeline.scaler.min);
  const negGamma = -svc.gamma; const rho = svc.rho; const z = new Float64Array(cols);
  if (W === 8) return (x, rows) => {
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let c = 0; c < cols; c++) z[c] = x[o + c] * scale[c] + shift[c];
      let sum = 0;
      for (let b = 0, i = 0; b < blocks; b++) {
        let d0 = 0, d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0, d6 = 0, d7 = 0;
        for (let c = 0; c < cols; c++, i += 8) {
          const v = z[c];
          const e0 = v - svW[i]; d0 += e0 * e0;
          const e1 = v - svW[i + 1]; d1 += e1 * e1;
          const e2 = v - svW[i + 2]; d2 += e2 * e2;
          const e3 = v - svW[i + 3]; d3 += e3 * e3;
          const e4 = v - svW[i + 4]; d4 += e4 * e4;
          const e5 = v - svW[i + 5]; d5 += e5 * e5;
          const e6 = v - svW[i + 6]; d6 += e6 * e6;
          const e7 = v - svW[i + 7]; d7 += e7 * e7;
        }
        const s = b * 8;
        sum += coef[s] * Math.exp(negGamma * d0);
        sum += coef[s + 1] * Math.exp(negGamma * d1);
        sum += coef[s + 2] * Math.exp(negGamma * d2);
        sum += coef[s + 3] * Math.exp(negGamma * d3);
        sum += coef[s + 4] * Math.exp(negGamma * d4);
        sum += coef[s + 5] * Math.exp(negGamma * d5);
        sum += coef[s + 6] * Math.exp(negGamma * d6);
        sum += coef[s + 7] * Math.exp(negGamma * d7);
      }
      for (let t = 0; t < tail; t++) {
        const a = t * cols; let d = 0;
        for (let c = 0; c < cols; c++) { const e = z[c] - svT[a + c]; d += e * e; }
        sum += coef[blocks * 8 + t] * Math.exp(negGamma * d);
      }
      out[r] = -(sum - rho);
    }
    return out;
  };
  return make2(pipeline);
}
// 2 rows x 4 SV transposed
function makeR2T4(pipeline) {
  const svc = pipeline.svc; const cols = svc.nFeatures;
  const svRaw = svc.supportVectors; const coef = Float64Array.from(svc.svCoef); const nSv = coef.length;
  const W = 4; const blocks = Math.floor(nSv / W); const tail = nSv - blocks * W;
  const svW = new Float64Array(blocks * W * cols);
  for (let b = 0; b < blocks; b++) for (let c = 0; c < cols; c++) for (let j = 0; j < W; j++) svW[(b * cols + c) * W + j] = svRaw[(b * W + j) * cols + c];
  const svT = Float64Array.from(svRaw.slice(blocks * W * cols));
  const scale = Float64Array.from(pipeline.scaler.scale); const shift = Float64Array.from(pipeline.scaler.min);
  const negGamma = -svc.gamma; const rho = svc.rho; const z = new Float64Array(cols * 2);
  const one = make2(pipeline);
  return (x, rows) => {
    const out = new Float64Array(rows);
    const full = rows - (rows % 2);
    for (let r = 0; r < full; r += 2) {
      const o = r * cols;
      for (let c = 0; c < cols; c++) { z[c] = x[o + c] * scale[c] + shift[c]; z[cols + c] = x[o + cols + c] * scale[c] + shift[c]; }
      let sa = 0, sb = 0;
      for (let b = 0, i = 0; b < blocks; b++) {
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        for (let c = 0; c < cols; c++, i += 4) {
          const u = z[c], v = z[cols + c];
          const w0 = svW[i], w1 = svW[i + 1], w2 = svW[i + 2], w3 = svW[i + 3];
          let e = u - w0; a0 += e * e; e = u - w1; a1 += e * e; e = u - w2; a2 += e * e; e = u - w3; a3 += e * e;
          e = v - w0; b0 += e * e; e = v - w1; b1 += e * e; e = v - w2; b2 += e * e; e = v - w3; b3 += e * e;
        }
        const s = b * 4;
        sa += coef[s] * Math.exp(negGamma * a0); sa += coef[s + 1] * Math.exp(negGamma * a1); sa += coef[s + 2] * Math.exp(negGamma * a2); sa += coef[s + 3] * Math.exp(negGamma * a3);
        sb += coef[s] * Math.exp(negGamma * b0); sb += coef[s + 1] * Math.exp(negGamma * b1); sb += coef[s + 2] * Math.exp(negGamma * b2); sb += coef[s + 3] * Math.exp(negGamma * b3);
      }
      for (let t = 0; t < tail; t++) {
        const a = t * cols; let da = 0, db = 0;
        for (let c = 0; c < cols; c++) { const w = svT[a + c]; let e = z[c] - w; da += e * e; e = z[cols + c] - w; db += e * e; }
        const k = coef[blocks * 4 + t];
        sa += k * Math.exp(negGamma * da); sb += k * Math.exp(negGamma * db);
      }
      out[r] = -(sa - rho); out[r + 1] = -(sb - rho);
    }
    if (full < rows) out.set(one(x.subarray(full * cols), rows - full), full);
    return out;
  };
}
const old = createPredictor(p);
const variants = { old: (x, n) => old.decide(x, n), sv4T: make2(p), sv8T: makeT(p, 8), r4: makeR4(p), r2t4: makeR2T4(p), noexp: noexp(p) };
const ref = old.decide(x, N);
for (const [name, f] of Object.entries(variants)) {
  const o = f(x, N); for (let i = 0; i < N; i++) if (name !== 'noexp' && !Object.is(o[i], ref[i])) throw new Error(name + ' differs at ' + i);
}
const ratios = {}; for (const k of Object.keys(variants)) ratios[k] = [];
for (let round = 0; round < 15; round++) { const times = {}; for (const [name, f] of Object.entries(variants)) { const t = performance.now(); f(x, N); times[name] = performance.now() - t; } for (const k in times) ratios[k].push(times.old / times[k]); }
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const k in ratios) console.log(k, 'speed vs old', med(ratios[k]).toFixed(2));
// exp only cost
let t = performance.now(); let acc = 0; for (let i = 0; i < N * 94; i++) acc += Math.exp(-0.01 * (i & 1023)); console.log('exp ns', ((performance.now() - t) * 1e6 / (N * 94)).toFixed(1), acc > 0);
