;; mloop's RBF kernel in WebAssembly SIMD (f64x2): two rows per vector, one row per lane, so every
;; value is computed by the operations, in the order, of the scalar JavaScript it replaces (and of
;; libsvm's dense `k_function` / `svm_predict_values`):
;;
;;   d   = Σ_c (z_c - sv_c)²            over the features in order (no norms, no fused multiply-add)
;;   K   = exp(-γ · d)                  V8's Math.exp (fdlibm's e_exp.c), vectorised below
;;   sum = Σ_s coef_s · K_s             over the support vectors in order, from +0
;;
;; IEEE-754 f64 add, sub, mul and div round the same in a lane as in a scalar register, and
;; WebAssembly never contracts a multiply and an add, so a lane gives the bits of the scalar code.
;;
;; Compiled to src/core/svc/rbf-kernel-wasm.ts by `node scripts/build-rbf-kernel-wasm.mjs` (wabt);
;; test/core/rbf-kernel-wasm.test.ts checks that the committed bytes are this file's.
(module
  ;; Math.exp: the lanes the vector exp leaves to it (|x| ≥ 700, NaN, x = 1).
  (import "math" "exp" (func $math_exp (param f64) (result f64)))
  (memory (export "memory") 1)

  ;; exp(x) per lane, bit for bit V8's Math.exp, which is fdlibm's __ieee754_exp:
  ;;   |x| ≤ 0.5 ln2:          k = 0            (below 2⁻²⁸: 1 + x)
  ;;   0.5 ln2 < |x| < 1.5 ln2: k = ±1
  ;;   else                     k = (int)(x / ln2 ± 0.5)
  ;;   hi = x - k·ln2HI, lo = k·ln2LO, r = hi - lo, c = r - r²(P1 + r²(P2 + …)),
  ;;   exp(x) = 2^k · (1 - ((lo - r·c / (2 - c)) - hi)).
  ;; fdlibm writes the first two cases as their own formulas; with k = ±1, k·ln2HI and k·ln2LO are
  ;; ±ln2HI and ±ln2LO exactly, and with k = 0 the formula is fdlibm's `1 - ((r·c)/(c - 2) - r)`
  ;; (lo = +0, hi = r = x, 0 - q = -q and (r·c)/(c - 2) = -(r·c)/(2 - c) exactly: IEEE rounding is
  ;; symmetric). Outside |x| < 700 (where 2^k needs fdlibm's subnormal and overflow steps), for NaN
  ;; and for x = 1 (which fdlibm answers with the constant E), a lane is left to Math.exp itself.
  (func $exp (param $x v128) (result v128)
    (local $ax v128) (local $neg v128) (local $k v128) (local $hi v128) (local $lo v128)
    (local $r v128) (local $t v128) (local $c v128)
    (local.set $ax (f64x2.abs (local.get $x)))
    (if (i32.eqz (i64x2.all_true
          (v128.andnot
            (f64x2.lt (local.get $ax) (v128.const f64x2 700 700))
            (f64x2.eq (local.get $x) (v128.const f64x2 1 1)))))
      (then (return (call $exp_lanes (local.get $x)))))
    ;; all ones where the sign bit is set (fdlibm's xsb)
    (local.set $neg (i64x2.shr_s (local.get $x) (i32.const 63)))
    ;; k = (int)(invln2·x + halF[xsb])
    (local.set $k
      (f64x2.convert_low_i32x4_s
        (i32x4.trunc_sat_f64x2_s_zero
          (f64x2.add
            (f64x2.mul (v128.const f64x2 0x1.71547652b82fep+0 0x1.71547652b82fep+0) (local.get $x))
            (v128.bitselect (v128.const f64x2 -0.5 -0.5) (v128.const f64x2 0.5 0.5) (local.get $neg))))))
    ;; |x| < 1.5 ln2 (high word below 0x3FF0A2B2): k = 1 - 2·xsb
    (local.set $k
      (v128.bitselect
        (v128.bitselect (v128.const f64x2 -1 -1) (v128.const f64x2 1 1) (local.get $neg))
        (local.get $k)
        (f64x2.lt (local.get $ax) (v128.const i64x2 0x3FF0A2B200000000 0x3FF0A2B200000000))))
    ;; |x| ≤ 0.5 ln2 (high word at most 0x3FD62E42): k = 0
    (local.set $k
      (v128.andnot (local.get $k)
        (f64x2.lt (local.get $ax) (v128.const i64x2 0x3FD62E4300000000 0x3FD62E4300000000))))
    ;; hi = x - k·ln2HI, lo = k·ln2LO (ln2HI = 0x3fe62e42fee00000, ln2LO = 0x3dea39ef35793c76)
    (local.set $hi
      (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) (v128.const i64x2 0x3fe62e42fee00000 0x3fe62e42fee00000))))
    (local.set $lo (f64x2.mul (local.get $k) (v128.const i64x2 0x3dea39ef35793c76 0x3dea39ef35793c76)))
    (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
    (local.set $t (f64x2.mul (local.get $r) (local.get $r)))
    ;; c = r - t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
    (local.set $c
      (f64x2.sub (local.get $r)
        (f64x2.mul (local.get $t)
          (f64x2.add (v128.const i64x2 0x3FC555555555553E 0x3FC555555555553E)
            (f64x2.mul (local.get $t)
              (f64x2.add (v128.const i64x2 0xBF66C16C16BEBD93 0xBF66C16C16BEBD93)
                (f64x2.mul (local.get $t)
                  (f64x2.add (v128.const i64x2 0x3F11566AAF25DE2C 0x3F11566AAF25DE2C)
                    (f64x2.mul (local.get $t)
                      (f64x2.add (v128.const i64x2 0xBEBBBD41C5D26BF1 0xBEBBBD41C5D26BF1)
                        (f64x2.mul (local.get $t) (v128.const i64x2 0x3E66376972BEA4D0 0x3E66376972BEA4D0))))))))))))
    ;; |x| < 2⁻²⁸: 1 + x; else 2^k · (1 - ((lo - r·c / (2 - c)) - hi)), 2^k built from k's bits
    (v128.bitselect
      (f64x2.add (v128.const f64x2 1 1) (local.get $x))
      (f64x2.mul
        (f64x2.sub (v128.const f64x2 1 1)
          (f64x2.sub
            (f64x2.sub (local.get $lo)
              (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (v128.const f64x2 2 2) (local.get $c))))
            (local.get $hi)))
        (i64x2.shl
          (i64x2.add
            (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k)))
            (v128.const i64x2 1023 1023))
          (i32.const 52)))
      (f64x2.lt (local.get $ax) (v128.const f64x2 0x1p-28 0x1p-28))))

  (func $exp_lanes (param $x v128) (result v128)
    (f64x2.replace_lane 1
      (f64x2.replace_lane 0 (local.get $x) (call $math_exp (f64x2.extract_lane 0 (local.get $x))))
      (call $math_exp (f64x2.extract_lane 1 (local.get $x)))))

  ;; exp of `n` (even) doubles at `ptr`, in place: what the tests compare with Math.exp.
  (func (export "exp_in_place") (param $ptr i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $ptr) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        (v128.store (local.get $ptr) (call $exp (v128.load (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
        (br $next))))

  ;; For each of `pairs` row pairs: Σ_s coef_s · exp(-γ · Σ_c (z_c - sv_sc)²), both rows at once.
  ;;   z:    row pairs interleaved, feature c of pair p's two rows at z + (p·cols + c)·16
  ;;   sv:   blocks of 8 support vectors, feature c of vector 8b + j at sv + ((b·cols + c)·8 + j)·8
  ;;         (a padding vector has coefficient 0: it adds +0, which changes no sum)
  ;;   coef: blocks·8 doubles; out: one f64x2 per pair (the two rows' sums)
  (func (export "binary_sums")
    (param $z i32) (param $pairs i32) (param $sv i32) (param $blocks i32) (param $cols i32)
    (param $coef i32) (param $negGamma f64) (param $out i32)
    (local $g v128) (local $sum v128) (local $v v128) (local $e v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $zend i32) (local $zi i32) (local $si i32) (local $cf i32) (local $b i32) (local $outEnd i32)
    (local.set $g (f64x2.splat (local.get $negGamma)))
    (local.set $outEnd (i32.add (local.get $out) (i32.shl (local.get $pairs) (i32.const 4))))
    (block $pairsDone
      (loop $pair
        (br_if $pairsDone (i32.ge_u (local.get $out) (local.get $outEnd)))
        (local.set $zend (i32.add (local.get $z) (i32.shl (local.get $cols) (i32.const 4))))
        (local.set $sum (v128.const f64x2 0 0))
        (local.set $si (local.get $sv))
        (local.set $cf (local.get $coef))
        (local.set $b (local.get $blocks))
        (loop $block
          (local.set $a0 (v128.const f64x2 0 0))
          (local.set $a1 (v128.const f64x2 0 0))
          (local.set $a2 (v128.const f64x2 0 0))
          (local.set $a3 (v128.const f64x2 0 0))
          (local.set $a4 (v128.const f64x2 0 0))
          (local.set $a5 (v128.const f64x2 0 0))
          (local.set $a6 (v128.const f64x2 0 0))
          (local.set $a7 (v128.const f64x2 0 0))
          (local.set $zi (local.get $z))
          (loop $feature
            (local.set $v (v128.load (local.get $zi)))
            (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=0 (local.get $si))))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $e) (local.get $e))))
            (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=8 (local.get $si))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $e) (local.get $e))))
            (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=16 (local.get $si))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $e) (local.get $e))))
            (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=24 (local.get $si))))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $e) (local.get $e))))
            (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=32 (local.get $si))))
            (local.set $a4 (f64x2.add (local.get $a4) (f64x2.mul (local.get $e) (local.get $e))))
            (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=40 (local.get $si))))
            (local.set $a5 (f64x2.add (local.get $a5) (f64x2.mul (local.get $e) (local.get $e))))
            (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=48 (local.get $si))))
            (local.set $a6 (f64x2.add (local.get $a6) (f64x2.mul (local.get $e) (local.get $e))))
            (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=56 (local.get $si))))
            (local.set $a7 (f64x2.add (local.get $a7) (f64x2.mul (local.get $e) (local.get $e))))
            (local.set $si (i32.add (local.get $si) (i32.const 64)))
            (local.set $zi (i32.add (local.get $zi) (i32.const 16)))
            (br_if $feature (i32.lt_u (local.get $zi) (local.get $zend))))
          ;; sum += coef_s · K_s, in support-vector order
          (local.set $sum (f64x2.add (local.get $sum)
            (f64x2.mul (v128.load64_splat offset=0 (local.get $cf)) (call $exp (f64x2.mul (local.get $g) (local.get $a0))))))
          (local.set $sum (f64x2.add (local.get $sum)
            (f64x2.mul (v128.load64_splat offset=8 (local.get $cf)) (call $exp (f64x2.mul (local.get $g) (local.get $a1))))))
          (local.set $sum (f64x2.add (local.get $sum)
            (f64x2.mul (v128.load64_splat offset=16 (local.get $cf)) (call $exp (f64x2.mul (local.get $g) (local.get $a2))))))
          (local.set $sum (f64x2.add (local.get $sum)
            (f64x2.mul (v128.load64_splat offset=24 (local.get $cf)) (call $exp (f64x2.mul (local.get $g) (local.get $a3))))))
          (local.set $sum (f64x2.add (local.get $sum)
            (f64x2.mul (v128.load64_splat offset=32 (local.get $cf)) (call $exp (f64x2.mul (local.get $g) (local.get $a4))))))
          (local.set $sum (f64x2.add (local.get $sum)
            (f64x2.mul (v128.load64_splat offset=40 (local.get $cf)) (call $exp (f64x2.mul (local.get $g) (local.get $a5))))))
          (local.set $sum (f64x2.add (local.get $sum)
            (f64x2.mul (v128.load64_splat offset=48 (local.get $cf)) (call $exp (f64x2.mul (local.get $g) (local.get $a6))))))
          (local.set $sum (f64x2.add (local.get $sum)
            (f64x2.mul (v128.load64_splat offset=56 (local.get $cf)) (call $exp (f64x2.mul (local.get $g) (local.get $a7))))))
          (local.set $cf (i32.add (local.get $cf) (i32.const 64)))
          (local.set $b (i32.sub (local.get $b) (i32.const 1)))
          (br_if $block (local.get $b)))
        (v128.store (local.get $out) (local.get $sum))
        (local.set $z (local.get $zend))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $pair))))
)
