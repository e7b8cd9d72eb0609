;; OmniSonic's hot loops in WebAssembly SIMD. Every pointer is a byte offset into the imported
;; memory (see src/dsp/arena.ts); arrays of f64 are 16-byte aligned. The results are defined to
;; the bit by the TypeScript reference implementations beside their callers (quantize.ts,
;; noise.ts, oscillator.ts), which tests compare against these kernels.
;;
;; Regenerate src/dsp/kernels-wasm.ts after editing: npm run wasm
(module
  (import "env" "memory" (memory 1))
;; The kernels' vector constants, at address 0 of the memory (the arena keeps the first
;; 256 bytes for them). Kernels load them into locals before their loops: V8 rebuilds a
;; v128.const at every use inside a loop (three instructions each), but keeps a loaded value.
;; Offsets: 0 hash multiplier 0x7feb352d, 16 multiplier 0x846ca68b, 32 0xffff, 48 32767.0f,
;; 64 0.5f, 80 -32768.0f, 96 i32 4, 112 i32 8, 128 i32 1, 144 f64 2^-31, 160 f32 2^-31,
;; 176 f64 1.0, 192 f64 -1.0.
  (data (i32.const 0) "\2d\35\eb\7f\2d\35\eb\7f\2d\35\eb\7f\2d\35\eb\7f\8b\a6\6c\84\8b\a6\6c\84\8b\a6\6c\84\8b\a6\6c\84\ff\ff\00\00\ff\ff\00\00\ff\ff\00\00\ff\ff\00\00\00\fe\ff\46\00\fe\ff\46\00\fe\ff\46\00\fe\ff\46\00\00\00\3f\00\00\00\3f\00\00\00\3f\00\00\00\3f\00\00\00\c7\00\00\00\c7\00\00\00\c7\00\00\00\c7\04\00\00\00\04\00\00\00\04\00\00\00\04\00\00\00\08\00\00\00\08\00\00\00\08\00\00\00\08\00\00\00\01\00\00\00\01\00\00\00\01\00\00\00\01\00\00\00\00\00\00\00\00\00\00\3e\00\00\00\00\00\00\00\3e\00\00\00\30\00\00\00\30\00\00\00\30\00\00\00\30\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\f0\bf\00\00\00\00\00\00\f0\bf")

;; The hot loops are written out in full, without calls: V8 does not inline calls between wasm
;; functions here, and a call that passes v128 values costs as much as the work it does.
;;
;; Dither and noise draw from lowbias32, an integer hash of a counter (sample k of a stream
;; uses hash(key + k)): x ^= x >>> 16; x *= 0x7feb352d; x ^= x >>> 15; x *= 0x846ca68b;
;; x ^= x >>> 16. TPDF dither is the difference of the hash's two 16-bit halves.

;; The 16-bit quantiser works in f32, four samples to a vector: floor(x * 32767 + d * dither +
;; 0.5) with every operation rounded to f32 (x is the f64 sample rounded to f32, d the dither in
;; 1/65536 LSB), then saturated. Its TypeScript twin does the same with Math.fround.

  ;; one sample the scalar way (tails of the 16-bit kernels): stores it, returns 1 when clipped
  (func $one16 (param $v f64) (param $key i32) (param $dither f32) (param $dst i32) (result i32)
    (local $h i32) (local $q f32)
    (local.set $h (i32.xor (local.get $key) (i32.shr_u (local.get $key) (i32.const 16))))
    (local.set $h (i32.mul (local.get $h) (i32.const 0x7feb352d)))
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 15))))
    (local.set $h (i32.mul (local.get $h) (i32.const 0x846ca68b)))
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))
    (local.set $q
      (f32.floor
        (f32.add
          (f32.add
            (f32.mul (f32.demote_f64 (local.get $v)) (f32.const 32767))
            (f32.mul
              (f32.convert_i32_s
                (i32.sub (i32.and (local.get $h) (i32.const 0xffff)) (i32.shr_u (local.get $h) (i32.const 16))))
              (local.get $dither)))
          (f32.const 0.5))))
    (if (f32.gt (local.get $q) (f32.const 32767))
      (then (i32.store16 (local.get $dst) (i32.const 32767)) (return (i32.const 1))))
    (if (f32.lt (local.get $q) (f32.const -32768))
      (then (i32.store16 (local.get $dst) (i32.const -32768)) (return (i32.const 1))))
    (i32.store16 (local.get $dst) (i32.trunc_sat_f32_s (local.get $q)))
    (i32.const 0))

  ;; the clipped samples counted lane by lane in $m
  (func $clips (param $m v128) (result i32)
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $m)) (i32x4.extract_lane 1 (local.get $m)))
      (i32.add (i32x4.extract_lane 2 (local.get $m)) (i32x4.extract_lane 3 (local.get $m)))))

  ;; Mono f64 to 16-bit PCM with TPDF dither. Sample i uses the hash of key + i. Returns the
  ;; number of clipped samples.
  (func (export "q16m") (param $src i32) (param $dst i32) (param $n i32) (param $key i32) (param $dither f64) (result i32)
    (local $i i32) (local $cnt i32) (local $keys v128) (local $dv v128) (local $q v128)
    (local $x v128) (local $v v128) (local $m v128) (local $df f32)
    (local $kmul1 v128) (local $kmul2 v128) (local $klow v128) (local $kmax v128) (local $khalf v128) (local $kmin v128) (local $kstep v128)
    ;; constants from the table at address 0, held in locals (see the data segment)
    (local.set $kmul1 (v128.load offset=0 (i32.const 0)))
    (local.set $kmul2 (v128.load offset=16 (i32.const 0)))
    (local.set $klow (v128.load offset=32 (i32.const 0)))
    (local.set $kmax (v128.load offset=48 (i32.const 0)))
    (local.set $khalf (v128.load offset=64 (i32.const 0)))
    (local.set $kmin (v128.load offset=80 (i32.const 0)))
    (local.set $kstep (v128.load offset=96 (i32.const 0)))
    (local.set $df (f32.demote_f64 (local.get $dither)))
    (local.set $dv (f32x4.splat (local.get $df)))
    (local.set $keys (i32x4.add (i32x4.splat (local.get $key)) (v128.const i32x4 0 1 2 3)))
    (block $done
      (loop $quads
        (br_if $done (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        ;; four samples at (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3))), dither from the hashes of (local.get $keys)
        (local.set $x (local.get $keys))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 16))))
        (local.set $x (i32x4.mul (local.get $x) (local.get $kmul1)))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))))
        (local.set $x (i32x4.mul (local.get $x) (local.get $kmul2)))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 16))))
        (local.set $v
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3)))))
            (f32x4.demote_f64x2_zero (v128.load offset=16 (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3)))))))
        (local.set $v
          (f32x4.floor (f32x4.add (f32x4.add
            (f32x4.mul (local.get $v) (local.get $kmax))
            (f32x4.mul
              (f32x4.convert_i32x4_s
                (i32x4.sub
                  (v128.and (local.get $x) (local.get $klow))
                  (i32x4.shr_u (local.get $x) (i32.const 16))))
              (local.get $dv)))
            (local.get $khalf))))
        (local.set $m (i32x4.sub (local.get $m) (v128.or
          (f32x4.gt (local.get $v) (local.get $kmax))
          (f32x4.lt (local.get $v) (local.get $kmin)))))
        (local.set $q (i32x4.trunc_sat_f32x4_s (local.get $v)))
        (v128.store64_lane 0
          (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 1)))
          (i16x8.narrow_i32x4_s (local.get $q) (local.get $q)))
        (local.set $keys (i32x4.add (local.get $keys) (local.get $kstep)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quads)))
    (local.set $cnt (call $clips (local.get $m)))
    (block $end
      (loop $tail
        (br_if $end (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $cnt
          (i32.add (local.get $cnt)
            (call $one16
              (f64.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3))))
              (i32.add (local.get $key) (local.get $i))
              (local.get $df)
              (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 1))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (local.get $cnt))

  ;; Stereo planar f64 to interleaved 16-bit PCM, as q16m. Frame i uses the hashes of key + 2i
  ;; (left) and key + 2i + 1 (right). Returns the number of clipped samples.
  (func (export "q16s") (param $l i32) (param $r i32) (param $dst i32) (param $n i32) (param $key i32) (param $dither f64) (result i32)
    (local $i i32) (local $cnt i32) (local $keys v128) (local $dv v128) (local $ql v128) (local $qr v128) (local $k i32)
    (local $x v128) (local $v v128) (local $m v128) (local $df f32)
    (local $kmul1 v128) (local $kmul2 v128) (local $klow v128) (local $kmax v128) (local $khalf v128) (local $kmin v128) (local $kstep v128) (local $kone v128)
    ;; constants from the table at address 0, held in locals (see the data segment)
    (local.set $kmul1 (v128.load offset=0 (i32.const 0)))
    (local.set $kmul2 (v128.load offset=16 (i32.const 0)))
    (local.set $klow (v128.load offset=32 (i32.const 0)))
    (local.set $kmax (v128.load offset=48 (i32.const 0)))
    (local.set $khalf (v128.load offset=64 (i32.const 0)))
    (local.set $kmin (v128.load offset=80 (i32.const 0)))
    (local.set $kstep (v128.load offset=112 (i32.const 0)))
    (local.set $kone (v128.load offset=128 (i32.const 0)))
    (local.set $df (f32.demote_f64 (local.get $dither)))
    (local.set $dv (f32x4.splat (local.get $df)))
    (local.set $keys (i32x4.add (i32x4.splat (local.get $key)) (v128.const i32x4 0 2 4 6)))
    (block $done
      (loop $quads
        (br_if $done (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $k (i32.shl (local.get $i) (i32.const 3)))
        ;; four samples at (i32.add (local.get $l) (local.get $k)), dither from the hashes of (local.get $keys)
        (local.set $x (local.get $keys))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 16))))
        (local.set $x (i32x4.mul (local.get $x) (local.get $kmul1)))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))))
        (local.set $x (i32x4.mul (local.get $x) (local.get $kmul2)))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 16))))
        (local.set $v
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (v128.load (i32.add (local.get $l) (local.get $k))))
            (f32x4.demote_f64x2_zero (v128.load offset=16 (i32.add (local.get $l) (local.get $k))))))
        (local.set $v
          (f32x4.floor (f32x4.add (f32x4.add
            (f32x4.mul (local.get $v) (local.get $kmax))
            (f32x4.mul
              (f32x4.convert_i32x4_s
                (i32x4.sub
                  (v128.and (local.get $x) (local.get $klow))
                  (i32x4.shr_u (local.get $x) (i32.const 16))))
              (local.get $dv)))
            (local.get $khalf))))
        (local.set $m (i32x4.sub (local.get $m) (v128.or
          (f32x4.gt (local.get $v) (local.get $kmax))
          (f32x4.lt (local.get $v) (local.get $kmin)))))
        (local.set $ql (i32x4.trunc_sat_f32x4_s (local.get $v)))
        ;; four samples at (i32.add (local.get $r) (local.get $k)), dither from the hashes of (i32x4.add (local.get $keys) (local.get $kone))
        (local.set $x (i32x4.add (local.get $keys) (local.get $kone)))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 16))))
        (local.set $x (i32x4.mul (local.get $x) (local.get $kmul1)))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))))
        (local.set $x (i32x4.mul (local.get $x) (local.get $kmul2)))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 16))))
        (local.set $v
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (v128.load (i32.add (local.get $r) (local.get $k))))
            (f32x4.demote_f64x2_zero (v128.load offset=16 (i32.add (local.get $r) (local.get $k))))))
        (local.set $v
          (f32x4.floor (f32x4.add (f32x4.add
            (f32x4.mul (local.get $v) (local.get $kmax))
            (f32x4.mul
              (f32x4.convert_i32x4_s
                (i32x4.sub
                  (v128.and (local.get $x) (local.get $klow))
                  (i32x4.shr_u (local.get $x) (i32.const 16))))
              (local.get $dv)))
            (local.get $khalf))))
        (local.set $m (i32x4.sub (local.get $m) (v128.or
          (f32x4.gt (local.get $v) (local.get $kmax))
          (f32x4.lt (local.get $v) (local.get $kmin)))))
        (local.set $qr (i32x4.trunc_sat_f32x4_s (local.get $v)))
        (v128.store
          (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2)))
          (i8x16.shuffle 0 1 8 9 2 3 10 11 4 5 12 13 6 7 14 15
            (i16x8.narrow_i32x4_s (local.get $ql) (local.get $qr))
            (i16x8.narrow_i32x4_s (local.get $ql) (local.get $qr))))
        (local.set $keys (i32x4.add (local.get $keys) (local.get $kstep)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quads)))
    (local.set $cnt (call $clips (local.get $m)))
    (block $end
      (loop $tail
        (br_if $end (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $k (i32.add (local.get $key) (i32.shl (local.get $i) (i32.const 1))))
        (local.set $cnt
          (i32.add (local.get $cnt)
            (call $one16
              (f64.load (i32.add (local.get $l) (i32.shl (local.get $i) (i32.const 3))))
              (local.get $k)
              (local.get $df)
              (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $cnt
          (i32.add (local.get $cnt)
            (call $one16
              (f64.load (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 3))))
              (i32.add (local.get $k) (i32.const 1))
              (local.get $df)
              (i32.add (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2))) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (local.get $cnt))

  ;; Add a sine into one or two outputs: out[i] += sin * gain, for $n frames ($n a multiple of
  ;; 4). Four phasors, for frames 4j, 4j+1, 4j+2, 4j+3, start at (c_k, s_k) and each turns by
  ;; (rc, rs), the rotation of four frames. $outR < 0: mono.
  (func (export "sineAdd")
    (param $outL i32) (param $outR i32) (param $n i32)
    (param $c0 f64) (param $c1 f64) (param $c2 f64) (param $c3 f64)
    (param $s0 f64) (param $s1 f64) (param $s2 f64) (param $s3 f64)
    (param $rc f64) (param $rs f64) (param $gl f64) (param $gr f64)
    (local $p i32) (local $end i32) (local $q i32)
    (local $ca v128) (local $cb v128) (local $sa v128) (local $sb v128) (local $t v128)
    (local $vrc v128) (local $vrs v128) (local $vgl v128) (local $vgr v128)
    (local.set $ca (f64x2.replace_lane 1 (f64x2.splat (local.get $c0)) (local.get $c1)))
    (local.set $cb (f64x2.replace_lane 1 (f64x2.splat (local.get $c2)) (local.get $c3)))
    (local.set $sa (f64x2.replace_lane 1 (f64x2.splat (local.get $s0)) (local.get $s1)))
    (local.set $sb (f64x2.replace_lane 1 (f64x2.splat (local.get $s2)) (local.get $s3)))
    (local.set $vrc (f64x2.splat (local.get $rc)))
    (local.set $vrs (f64x2.splat (local.get $rs)))
    (local.set $vgl (f64x2.splat (local.get $gl)))
    (local.set $vgr (f64x2.splat (local.get $gr)))
    (local.set $p (local.get $outL))
    (local.set $q (local.get $outR))
    (local.set $end (i32.add (local.get $outL) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $frames
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (v128.store (local.get $p)
          (f64x2.add (v128.load (local.get $p)) (f64x2.mul (local.get $sa) (local.get $vgl))))
        (v128.store offset=16 (local.get $p)
          (f64x2.add (v128.load offset=16 (local.get $p)) (f64x2.mul (local.get $sb) (local.get $vgl))))
        (if (i32.ge_s (local.get $outR) (i32.const 0))
          (then
            (v128.store (local.get $q)
              (f64x2.add (v128.load (local.get $q)) (f64x2.mul (local.get $sa) (local.get $vgr))))
            (v128.store offset=16 (local.get $q)
              (f64x2.add (v128.load offset=16 (local.get $q)) (f64x2.mul (local.get $sb) (local.get $vgr))))
            (local.set $q (i32.add (local.get $q) (i32.const 32)))))
        (local.set $t (f64x2.sub (f64x2.mul (local.get $ca) (local.get $vrc)) (f64x2.mul (local.get $sa) (local.get $vrs))))
        (local.set $sa (f64x2.add (f64x2.mul (local.get $sa) (local.get $vrc)) (f64x2.mul (local.get $ca) (local.get $vrs))))
        (local.set $ca (local.get $t))
        (local.set $t (f64x2.sub (f64x2.mul (local.get $cb) (local.get $vrc)) (f64x2.mul (local.get $sb) (local.get $vrs))))
        (local.set $sb (f64x2.add (f64x2.mul (local.get $sb) (local.get $vrc)) (f64x2.mul (local.get $cb) (local.get $vrs))))
        (local.set $cb (local.get $t))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $frames))))

  ;; Uniform white noise in [-1, 1): sample i is the hash of key + i, as a signed 32-bit integer
  ;; over 2^31. Writes $n rounded up to a multiple of 4.
  (func (export "white") (param $out i32) (param $n i32) (param $key i32)
    (local $p i32) (local $end i32) (local $keys v128) (local $h v128) (local $x v128)
    (local $kmul1 v128) (local $kmul2 v128) (local $kstep v128) (local $kscale v128)
    ;; constants from the table at address 0, held in locals (see the data segment)
    (local.set $kmul1 (v128.load offset=0 (i32.const 0)))
    (local.set $kmul2 (v128.load offset=16 (i32.const 0)))
    (local.set $kstep (v128.load offset=96 (i32.const 0)))
    (local.set $kscale (v128.load offset=144 (i32.const 0)))
    (local.set $keys (i32x4.add (i32x4.splat (local.get $key)) (v128.const i32x4 0 1 2 3)))
    (local.set $p (local.get $out))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $quads
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (local.get $keys))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 16))))
        (local.set $x (i32x4.mul (local.get $x) (local.get $kmul1)))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))))
        (local.set $x (i32x4.mul (local.get $x) (local.get $kmul2)))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 16))))
        (local.set $h (local.get $x))
        (v128.store (local.get $p)
          (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $h)) (local.get $kscale)))
        (v128.store offset=16 (local.get $p)
          (f64x2.mul
            (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $h) (local.get $h)))
            (local.get $kscale)))
        (local.set $keys (i32x4.add (local.get $keys) (local.get $kstep)))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $quads))))

  ;; Coloured noise: the white samples at $x through c0 + six one-pole terms
  ;; s_k = a_k s_k + r_k x (partial fractions of the slope filter, unused terms zero), scaled by
  ;; $scale and clamped to +-1. $st holds, as f64 in pairs of terms: a[6], r[6], s[6], a^2[6],
  ;; a*r[6]; the states s are written back. Two samples per step: s[n] = a s[n-1] + r x[n] and
  ;; s[n+1] = a^2 s[n-1] + a r x[n] + r x[n+1] do not wait for each other. Per sample the sum is
  ;; (t0 + t2 + t4) + (t1 + t3 + t5) + c0 x. $add = 0: out[i] = y; otherwise out[i] += y * gain.
  (func (export "pinkish")
    (param $x i32) (param $out i32) (param $n i32) (param $st i32)
    (param $c0 f64) (param $scale f64) (param $add i32) (param $gain f64)
    (local $i i32) (local $o i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128)
    (local $xx v128) (local $x0 v128) (local $x1 v128) (local $u v128) (local $w v128) (local $y v128)
    (local $vc0 v128) (local $vsc v128) (local $vg v128)
    (local.set $a0 (v128.load offset=0 (local.get $st)))
    (local.set $r0 (v128.load offset=48 (local.get $st)))
    (local.set $s0 (v128.load offset=96 (local.get $st)))
    (local.set $q0 (v128.load offset=144 (local.get $st)))
    (local.set $p0 (v128.load offset=192 (local.get $st)))
    (local.set $a1 (v128.load offset=16 (local.get $st)))
    (local.set $r1 (v128.load offset=64 (local.get $st)))
    (local.set $s1 (v128.load offset=112 (local.get $st)))
    (local.set $q1 (v128.load offset=160 (local.get $st)))
    (local.set $p1 (v128.load offset=208 (local.get $st)))
    (local.set $a2 (v128.load offset=32 (local.get $st)))
    (local.set $r2 (v128.load offset=80 (local.get $st)))
    (local.set $s2 (v128.load offset=128 (local.get $st)))
    (local.set $q2 (v128.load offset=176 (local.get $st)))
    (local.set $p2 (v128.load offset=224 (local.get $st)))
    (local.set $vc0 (f64x2.splat (local.get $c0)))
    (local.set $vsc (f64x2.splat (local.get $scale)))
    (local.set $vg (f64x2.splat (local.get $gain)))
    (block $done
      (loop $pairs
        (br_if $done (i32.gt_s (i32.add (local.get $i) (i32.const 2)) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $xx (v128.load (i32.add (local.get $x) (local.get $o))))
        (local.set $x0 (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.get $xx) (local.get $xx)))
        (local.set $x1 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $xx) (local.get $xx)))
        (local.set $t0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $s0)) (f64x2.mul (local.get $r0) (local.get $x0))))
        (local.set $s0
          (f64x2.add
            (f64x2.mul (local.get $q0) (local.get $s0))
            (f64x2.add (f64x2.mul (local.get $p0) (local.get $x0)) (f64x2.mul (local.get $r0) (local.get $x1)))))
        (local.set $t1 (f64x2.add (f64x2.mul (local.get $a1) (local.get $s1)) (f64x2.mul (local.get $r1) (local.get $x0))))
        (local.set $s1
          (f64x2.add
            (f64x2.mul (local.get $q1) (local.get $s1))
            (f64x2.add (f64x2.mul (local.get $p1) (local.get $x0)) (f64x2.mul (local.get $r1) (local.get $x1)))))
        (local.set $t2 (f64x2.add (f64x2.mul (local.get $a2) (local.get $s2)) (f64x2.mul (local.get $r2) (local.get $x0))))
        (local.set $s2
          (f64x2.add
            (f64x2.mul (local.get $q2) (local.get $s2))
            (f64x2.add (f64x2.mul (local.get $p2) (local.get $x0)) (f64x2.mul (local.get $r2) (local.get $x1)))))
        (local.set $u (f64x2.add (f64x2.add (local.get $t0) (local.get $t1)) (local.get $t2)))
        (local.set $w (f64x2.add (f64x2.add (local.get $s0) (local.get $s1)) (local.get $s2)))
        (local.set $y
          (f64x2.add
            (f64x2.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $u) (local.get $w))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $u) (local.get $w)))
            (f64x2.mul (local.get $vc0) (local.get $xx))))
        (local.set $y
          (f64x2.pmax (v128.const f64x2 -1 -1) (f64x2.pmin (v128.const f64x2 1 1) (f64x2.mul (local.get $y) (local.get $vsc)))))
        (if (local.get $add)
          (then
            (v128.store (i32.add (local.get $out) (local.get $o))
              (f64x2.add (v128.load (i32.add (local.get $out) (local.get $o))) (f64x2.mul (local.get $y) (local.get $vg)))))
          (else (v128.store (i32.add (local.get $out) (local.get $o)) (local.get $y))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    ;; an odd last sample: one step
    (if (i32.lt_s (local.get $i) (local.get $n))
      (then
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $x0 (v128.load64_splat (i32.add (local.get $x) (local.get $o))))
        (local.set $s0 (f64x2.add (f64x2.mul (local.get $a0) (local.get $s0)) (f64x2.mul (local.get $r0) (local.get $x0))))
        (local.set $s1 (f64x2.add (f64x2.mul (local.get $a1) (local.get $s1)) (f64x2.mul (local.get $r1) (local.get $x0))))
        (local.set $s2 (f64x2.add (f64x2.mul (local.get $a2) (local.get $s2)) (f64x2.mul (local.get $r2) (local.get $x0))))
        (local.set $w (f64x2.add (f64x2.add (local.get $s0) (local.get $s1)) (local.get $s2)))
        (local.set $y
          (f64x2.add
            (f64x2.add (local.get $w) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $w) (local.get $w)))
            (f64x2.mul (local.get $vc0) (local.get $x0))))
        (local.set $y
          (f64x2.pmax (v128.const f64x2 -1 -1) (f64x2.pmin (v128.const f64x2 1 1) (f64x2.mul (local.get $y) (local.get $vsc)))))
        (if (local.get $add)
          (then
            (v128.store64_lane 0 (i32.add (local.get $out) (local.get $o))
              (f64x2.add (v128.load64_splat (i32.add (local.get $out) (local.get $o))) (f64x2.mul (local.get $y) (local.get $vg)))))
          (else (v128.store64_lane 0 (i32.add (local.get $out) (local.get $o)) (local.get $y))))))
    (v128.store offset=96 (local.get $st) (local.get $s0))
    (v128.store offset=112 (local.get $st) (local.get $s1))
    (v128.store offset=128 (local.get $st) (local.get $s2)))

  ;; Coloured noise in four lanes of f32: the same one-pole terms as pinkish, run over four
  ;; segments at once, so that a step does one segment's sample in each lane and needs no sum
  ;; across lanes. Lane j starts from zero state $warm samples before its segment (by then the
  ;; slowest term has forgotten the zero start) and runs $warm + $len steps; step t of lane j
  ;; draws hash(key + j len + t) as white noise, x = f32(h) * 2^-31, and updates six terms
  ;; s_k = a_k s_k + r_k x, y = ((c0 x + s0) + s1) + ... + s5, every operation rounded to f32.
  ;; Steps t >= $warm store y at out[j len + t - warm] (f32). $coef holds vectors of four equal
  ;; lanes: a_0..a_5, r_0..r_5, c0 (f32); they and the hash's constants are read from memory at
  ;; every use, which leaves the registers to the six states. The
  ;; TypeScript twin is fillLanes in noise.ts.
  (func (export "noiseLanes")
    (param $out i32) (param $len i32) (param $warm i32) (param $coef i32) (param $key i32)
    (local $t i32) (local $end i32) (local $p i32) (local $lb i32)
    (local $keys v128) (local $x v128) (local $y v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128)
    (local $kone v128)
    ;; constants from the table at address 0, held in locals (see the data segment)
    (local.set $kone (v128.load offset=128 (i32.const 0)))
    (local.set $keys
      (i32x4.add (i32x4.splat (local.get $key))
        (i32x4.mul (i32x4.splat (local.get $len)) (v128.const i32x4 0 1 2 3))))
    (local.set $lb (i32.shl (local.get $len) (i32.const 2)))
    (local.set $end (i32.add (local.get $warm) (local.get $len)))
    (block $done
      (loop $steps
        (br_if $done (i32.ge_u (local.get $t) (local.get $end)))
        (local.set $x (local.get $keys))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 16))))
        (local.set $x (i32x4.mul (local.get $x) (v128.load offset=0 (i32.const 0))))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))))
        (local.set $x (i32x4.mul (local.get $x) (v128.load offset=16 (i32.const 0))))
        (local.set $x (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 16))))
        (local.set $x (f32x4.mul (f32x4.convert_i32x4_s (local.get $x)) (v128.load offset=160 (i32.const 0))))
        (local.set $s0
          (f32x4.add
            (f32x4.mul (v128.load offset=0 (local.get $coef)) (local.get $s0))
            (f32x4.mul (v128.load offset=96 (local.get $coef)) (local.get $x))))
        (local.set $s1
          (f32x4.add
            (f32x4.mul (v128.load offset=16 (local.get $coef)) (local.get $s1))
            (f32x4.mul (v128.load offset=112 (local.get $coef)) (local.get $x))))
        (local.set $s2
          (f32x4.add
            (f32x4.mul (v128.load offset=32 (local.get $coef)) (local.get $s2))
            (f32x4.mul (v128.load offset=128 (local.get $coef)) (local.get $x))))
        (local.set $s3
          (f32x4.add
            (f32x4.mul (v128.load offset=48 (local.get $coef)) (local.get $s3))
            (f32x4.mul (v128.load offset=144 (local.get $coef)) (local.get $x))))
        (local.set $s4
          (f32x4.add
            (f32x4.mul (v128.load offset=64 (local.get $coef)) (local.get $s4))
            (f32x4.mul (v128.load offset=160 (local.get $coef)) (local.get $x))))
        (local.set $s5
          (f32x4.add
            (f32x4.mul (v128.load offset=80 (local.get $coef)) (local.get $s5))
            (f32x4.mul (v128.load offset=176 (local.get $coef)) (local.get $x))))
        (local.set $y (f32x4.mul (v128.load offset=192 (local.get $coef)) (local.get $x)))
        (local.set $y
          (f32x4.add
            (f32x4.add
              (f32x4.add
                (f32x4.add (f32x4.add (f32x4.add (local.get $y) (local.get $s0)) (local.get $s1)) (local.get $s2))
                (local.get $s3))
              (local.get $s4))
            (local.get $s5)))
        (if (i32.ge_u (local.get $t) (local.get $warm))
          (then
            (local.set $p (i32.add (local.get $out) (i32.shl (i32.sub (local.get $t) (local.get $warm)) (i32.const 2))))
            (v128.store32_lane 0 (local.get $p) (local.get $y))
            (local.set $p (i32.add (local.get $p) (local.get $lb)))
            (v128.store32_lane 1 (local.get $p) (local.get $y))
            (local.set $p (i32.add (local.get $p) (local.get $lb)))
            (v128.store32_lane 2 (local.get $p) (local.get $y))
            (local.set $p (i32.add (local.get $p) (local.get $lb)))
            (v128.store32_lane 3 (local.get $p) (local.get $y))))
        (local.set $keys (i32x4.add (local.get $keys) (local.get $kone)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $steps))))

  ;; f32 noise at $src into f64 at $out, n samples: y = clamp(f64(x) * scale, -1, 1); $add = 0:
  ;; out[i] = y, otherwise out[i] += y * gain. Four samples a step, then one at a time.
  (func (export "noiseEmit")
    (param $src i32) (param $out i32) (param $n i32) (param $scale f64) (param $add i32) (param $gain f64)
    (local $i i32) (local $v v128) (local $lo v128) (local $hi v128) (local $o i32) (local $vsc v128) (local $vg v128)
    (local $kone v128) (local $kmone v128)
    ;; constants from the table at address 0, held in locals (see the data segment)
    (local.set $kone (v128.load offset=176 (i32.const 0)))
    (local.set $kmone (v128.load offset=192 (i32.const 0)))
    (local.set $vsc (f64x2.splat (local.get $scale)))
    (local.set $vg (f64x2.splat (local.get $gain)))
    (block $done
      (loop $quads
        (br_if $done (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $v (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $lo
          (f64x2.pmax (local.get $kmone)
            (f64x2.pmin (local.get $kone) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (local.get $vsc)))))
        (local.set $hi
          (f64x2.pmax (local.get $kmone)
            (f64x2.pmin (local.get $kone)
              (f64x2.mul
                (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))
                (local.get $vsc)))))
        (local.set $o (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))))
        (if (local.get $add)
          (then
            (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (f64x2.mul (local.get $lo) (local.get $vg))))
            (v128.store offset=16 (local.get $o)
              (f64x2.add (v128.load offset=16 (local.get $o)) (f64x2.mul (local.get $hi) (local.get $vg)))))
          (else
            (v128.store (local.get $o) (local.get $lo))
            (v128.store offset=16 (local.get $o) (local.get $hi))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quads)))
    (block $end
      (loop $tail
        (br_if $end (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $lo
          (f64x2.pmax (local.get $kmone)
            (f64x2.pmin (local.get $kone)
              (f64x2.mul
                (f64x2.promote_low_f32x4 (v128.load32_zero (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))))
                (local.get $vsc)))))
        (local.set $o (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))))
        (if (local.get $add)
          (then
            (v128.store64_lane 0 (local.get $o)
              (f64x2.add (v128.load64_zero (local.get $o)) (f64x2.mul (local.get $lo) (local.get $vg)))))
          (else (v128.store64_lane 0 (local.get $o) (local.get $lo))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))
)
