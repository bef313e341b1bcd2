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
  (func $exp_many (param $p i32) (param $end i32)
    (local $x v128) (local $ax v128) (local $sign v128) (local $k v128) (local $hi v128) (local $lo v128)
    (local $r v128) (local $t v128) (local $c v128)
    ;; constants, materialised once per call rather than once per vector
    (local $one v128) (local $two v128) (local $half v128) (local $range v128) (local $tiny v128)
    (local $invln2 v128) (local $ln2hi v128) (local $ln2lo v128) (local $kOne v128) (local $kZero v128)
    (local $p1 v128) (local $p2 v128) (local $p3 v128) (local $p4 v128) (local $p5 v128) (local $bias v128)
    (local.set $one (v128.const f64x2 1 1))
    (local.set $two (v128.const f64x2 2 2))
    (local.set $half (v128.const f64x2 0.5 0.5))
    (local.set $range (v128.const f64x2 700 700))
    (local.set $tiny (v128.const f64x2 0x1p-28 0x1p-28))
    (local.set $invln2 (v128.const i64x2 0x3ff71547652b82fe 0x3ff71547652b82fe))
    (local.set $ln2hi (v128.const i64x2 0x3fe62e42fee00000 0x3fe62e42fee00000))
    (local.set $ln2lo (v128.const i64x2 0x3dea39ef35793c76 0x3dea39ef35793c76))
    ;; high words 0x3FF0A2B2 (|x| < 1.5 ln2 below) and 0x3FD62E43 (|x| ≤ 0.5 ln2 below)
    (local.set $kOne (v128.const i64x2 0x3FF0A2B200000000 0x3FF0A2B200000000))
    (local.set $kZero (v128.const i64x2 0x3FD62E4300000000 0x3FD62E4300000000))
    (local.set $p1 (v128.const i64x2 0x3FC555555555553E 0x3FC555555555553E))
    (local.set $p2 (v128.const i64x2 0xBF66C16C16BEBD93 0xBF66C16C16BEBD93))
    (local.set $p3 (v128.const i64x2 0x3F11566AAF25DE2C 0x3F11566AAF25DE2C))
    (local.set $p4 (v128.const i64x2 0xBEBBBD41C5D26BF1 0xBEBBBD41C5D26BF1))
    (local.set $p5 (v128.const i64x2 0x3E66376972BEA4D0 0x3E66376972BEA4D0))
    (local.set $bias (v128.const i64x2 1023 1023))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (v128.load (local.get $p)))
        (local.set $ax (f64x2.abs (local.get $x)))
        (if (i64x2.all_true
              (v128.andnot (f64x2.lt (local.get $ax) (local.get $range)) (f64x2.eq (local.get $x) (local.get $one))))
          (then
            ;; x's sign bit alone (fdlibm's xsb)
            (local.set $sign (v128.and (local.get $x) (v128.const i64x2 0x8000000000000000 0x8000000000000000)))
            ;; k = (int)(invln2·x + halF[xsb]), halF[xsb] = ±0.5
            (local.set $k
              (f64x2.convert_low_i32x4_s
                (i32x4.trunc_sat_f64x2_s_zero
                  (f64x2.add (f64x2.mul (local.get $invln2) (local.get $x))
                    (v128.or (local.get $half) (local.get $sign))))))
            ;; |x| < 1.5 ln2: k = 1 - 2·xsb = ±1
            (local.set $k
              (v128.bitselect
                (v128.or (local.get $one) (local.get $sign))
                (local.get $k)
                (f64x2.lt (local.get $ax) (local.get $kOne))))
            ;; |x| ≤ 0.5 ln2: k = 0
            (local.set $k (v128.andnot (local.get $k) (f64x2.lt (local.get $ax) (local.get $kZero))))
            (local.set $hi (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) (local.get $ln2hi))))
            (local.set $lo (f64x2.mul (local.get $k) (local.get $ln2lo)))
            (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
            (local.set $t (f64x2.mul (local.get $r) (local.get $r)))
            ;; c = r - t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
            (local.set $c
              (f64x2.sub (local.get $r)
                (f64x2.mul (local.get $t)
                  (f64x2.add (local.get $p1)
                    (f64x2.mul (local.get $t)
                      (f64x2.add (local.get $p2)
                        (f64x2.mul (local.get $t)
                          (f64x2.add (local.get $p3)
                            (f64x2.mul (local.get $t)
                              (f64x2.add (local.get $p4) (f64x2.mul (local.get $t) (local.get $p5))))))))))))
            ;; |x| < 2⁻²⁸: 1 + x; else 2^k · (1 - ((lo - r·c / (2 - c)) - hi)), 2^k built from k's bits
            (v128.store (local.get $p)
              (v128.bitselect
                (f64x2.add (local.get $one) (local.get $x))
                (f64x2.mul
                  (f64x2.sub (local.get $one)
                    (f64x2.sub
                      (f64x2.sub (local.get $lo)
                        (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (local.get $two) (local.get $c))))
                      (local.get $hi)))
                  (i64x2.shl
                    (i64x2.add
                      (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k)))
                      (local.get $bias))
                    (i32.const 52)))
                (f64x2.lt (local.get $ax) (local.get $tiny)))))
          (else (v128.store (local.get $p) (call $exp_lanes (local.get $x)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next))))

  (func $exp_lanes (param $x v128) (result v128)
    (f64x2.replace_lane 1
      (f64x2.replace_lane 0 (local.get $x) (call $math_exp (f64x2.extract_lane 0 (local.get $x))))
      (call $math_exp (f64x2.extract_lane 1 (local.get $x)))))

  ;; exp of `n` (even) doubles at `ptr`, in place: what the tests compare with Math.exp.
  (func (export "exp_in_place") (param $ptr i32) (param $n i32)
    (call $exp_many (local.get $ptr) (i32.add (local.get $ptr) (i32.shl (local.get $n) (i32.const 3)))))

;; -γ · Σ_c (z_c - sv_sc)² of one row pair (z: its `cols` f64x2) and every support vector, one
  ;; f64x2 per vector at k + s·16. sv: blocks of 8 vectors, feature c of vector 8b + j at
  ;; sv + ((b·cols + c)·8 + j)·8 (`interleaveRows(…, 8)`); eight sums side by side change the speed,
  ;; never a rounding.
  (func $scaled_distances (param $z i32) (param $sv i32) (param $blocks i32) (param $cols i32) (param $g v128) (param $k i32)
    (local $v v128) (local $e v128) (local $zi i32) (local $zend i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $zend (i32.add (local.get $z) (i32.shl (local.get $cols) (i32.const 4))))
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
        (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=0 (local.get $sv))))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=8 (local.get $sv))))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=16 (local.get $sv))))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=24 (local.get $sv))))
        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=32 (local.get $sv))))
        (local.set $a4 (f64x2.add (local.get $a4) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=40 (local.get $sv))))
        (local.set $a5 (f64x2.add (local.get $a5) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=48 (local.get $sv))))
        (local.set $a6 (f64x2.add (local.get $a6) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $e (f64x2.sub (local.get $v) (v128.load64_splat offset=56 (local.get $sv))))
        (local.set $a7 (f64x2.add (local.get $a7) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $sv (i32.add (local.get $sv) (i32.const 64)))
        (local.set $zi (i32.add (local.get $zi) (i32.const 16)))
        (br_if $feature (i32.lt_u (local.get $zi) (local.get $zend))))
      (v128.store offset=0 (local.get $k) (f64x2.mul (local.get $g) (local.get $a0)))
      (v128.store offset=16 (local.get $k) (f64x2.mul (local.get $g) (local.get $a1)))
      (v128.store offset=32 (local.get $k) (f64x2.mul (local.get $g) (local.get $a2)))
      (v128.store offset=48 (local.get $k) (f64x2.mul (local.get $g) (local.get $a3)))
      (v128.store offset=64 (local.get $k) (f64x2.mul (local.get $g) (local.get $a4)))
      (v128.store offset=80 (local.get $k) (f64x2.mul (local.get $g) (local.get $a5)))
      (v128.store offset=96 (local.get $k) (f64x2.mul (local.get $g) (local.get $a6)))
      (v128.store offset=112 (local.get $k) (f64x2.mul (local.get $g) (local.get $a7)))
      (local.set $k (i32.add (local.get $k) (i32.const 128)))
      (local.set $blocks (i32.sub (local.get $blocks) (i32.const 1)))
      (br_if $block (local.get $blocks))))

  ;; Kernel values exp(-γ · Σ_c (z_c - sv_sc)²) of `pairs` row pairs: pair p's rows interleaved at
  ;; z + p·cols·16 (`interleaveRows(…, 2)`), its blocks·8 values, one f64x2 per support vector,
  ;; at k + p·blocks·128.
  (func $kernel_values (export "kernel_values")
    (param $z i32) (param $pairs i32) (param $sv i32) (param $blocks i32) (param $cols i32)
    (param $negGamma f64) (param $k i32)
    (local $g v128) (local $span i32)
    (local.set $g (f64x2.splat (local.get $negGamma)))
    (local.set $span (i32.shl (local.get $blocks) (i32.const 7)))
    (block $done
      (loop $pair
        (br_if $done (i32.eqz (local.get $pairs)))
        (call $scaled_distances (local.get $z) (local.get $sv) (local.get $blocks) (local.get $cols) (local.get $g) (local.get $k))
        (call $exp_many (local.get $k) (i32.add (local.get $k) (local.get $span)))
        (local.set $z (i32.add (local.get $z) (i32.shl (local.get $cols) (i32.const 4))))
        (local.set $k (i32.add (local.get $k) (local.get $span)))
        (local.set $pairs (i32.sub (local.get $pairs) (i32.const 1)))
        (br $pair))))

  ;; For each of `pairs` row pairs: Σ_s coef_s · K_s over the support vectors in order, from +0
  ;; (libsvm's `svm_predict_values` for two classes), one f64x2 per pair at out + p·16. coef:
  ;; blocks·8 doubles, a padding vector's 0 (it adds +0, which changes no sum); k: scratch for one
  ;; pair's kernel values (blocks·128 bytes).
  (func (export "binary_sums")
    (param $z i32) (param $pairs i32) (param $sv i32) (param $blocks i32) (param $cols i32)
    (param $coef i32) (param $negGamma f64) (param $k i32) (param $out i32)
    (local $sum v128) (local $s i32) (local $cf i32) (local $kend i32)
    (local.set $kend (i32.add (local.get $k) (i32.shl (local.get $blocks) (i32.const 7))))
    (block $done
      (loop $pair
        (br_if $done (i32.eqz (local.get $pairs)))
        (call $kernel_values (local.get $z) (i32.const 1) (local.get $sv) (local.get $blocks) (local.get $cols) (local.get $negGamma) (local.get $k))
        (local.set $sum (v128.const f64x2 0 0))
        (local.set $s (local.get $k))
        (local.set $cf (local.get $coef))
        (loop $term
          (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (v128.load64_splat (local.get $cf)) (v128.load (local.get $s)))))
          (local.set $cf (i32.add (local.get $cf) (i32.const 8)))
          (local.set $s (i32.add (local.get $s) (i32.const 16)))
          (br_if $term (i32.lt_u (local.get $s) (local.get $kend))))
        (v128.store (local.get $out) (local.get $sum))
        (local.set $z (i32.add (local.get $z) (i32.shl (local.get $cols) (i32.const 4))))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $pairs (i32.sub (local.get $pairs) (i32.const 1)))
        (br $pair))))
)
