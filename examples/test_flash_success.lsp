; Flash attention validation suite: every flash builtin, masks, causal attention,
; dropout on and off, gradients, and an 8K-token sequence on the CPU.
; Run: lispe-py examples/test_flash_success.lsp   (exit status 1 if a test fails)

(use 'lispe_torch)

(setq passed 0)
(setq failed 0)
(defun expect (label ok)
   (if ok
      (block (setg passed (+ passed 1)) (println "✅" label))
      (block (setg failed (+ failed 1)) (println "❌" label))))

(defun shape_is (t dims) (= (torch_shape t) (integers dims)))
(defun max_diff (a b) (torch_max (torch_abs (torch_sub a b))))
(defun finite (t) (and (< (torch_max (torch_abs t)) 1.0e30) (= (torch_sum t) (torch_sum t))))

(println "=== Flash Attention validation ===")

; --- module creation, documented arities (2 to 4 arguments)
(setq m2 (torch_flash_attention_create 64 4))
(setq m3 (torch_flash_attention_create 64 4 0.0))
(setq m (torch_flash_attention_create 64 4 0.0 true))
(println m)
(expect "torch_flash_attention_create with 2, 3 and 4 arguments"
   (and (= (string m2) "Flash Attention (embed_dim=64, num_heads=4, head_dim=16, dropout=0, bias=true)")
        (= (string m3) (string m2)) (= (string m) (string m2))))
(expect "embed_dim not divisible by num_heads is an error"
   (maybe (block (torch_flash_attention_create 65 4) nil) true))

; --- forward
(setq x (torch_randn (integers 2 10 64)))
(setq out (torch_flash_attention_forward m x x x))
(expect "torch_flash_attention_forward: [B, S, E] -> [B, S, E]" (and (shape_is out '(2 10 64)) (finite out)))
(torch_eval m)
(expect "forward is deterministic in evaluation mode"
   (< (max_diff out (torch_flash_attention_forward m x x x)) 1.0e-6))

; --- masks: an all-true bool mask changes nothing; a float mask of zeros neither
(setq all_true (torch_create_attention_mask (torch_ones (integers 2 10)) 0))
(setq all_true (torch_reshape all_true (integers 2 1 1 10)))
(expect "bool mask of trues = no mask"
   (< (max_diff out (torch_flash_attention_with_mask m x x x all_true)) 1.0e-5))
(expect "additive float mask of zeros = no mask"
   (< (max_diff out (torch_flash_attention_with_mask m x x x (torch_zeros (integers 2 4 10 10)))) 1.0e-5))
; padding: keys beyond position 6 masked out => same as attending over the first 6 keys only
(setq ids (torch_tensor (integers 5 6 7 8 9 10 0 0 0 0)))
(setq pad_mask (torch_reshape (torch_create_attention_mask (torch_reshape ids (integers 1 10)) 0) (integers 1 1 1 10)))
(setq q1 (torch_randn (integers 1 10 64)))
(setq kv (torch_randn (integers 1 10 64)))
(setq masked (torch_flash_attention_with_mask m q1 kv kv pad_mask))
(setq kv6 (torch_slice kv 1 0 6))
(expect "padding mask = attending over the unpadded keys only"
   (< (max_diff masked (torch_flash_attention_forward m q1 kv6 kv6)) 1.0e-5))

; --- causal attention: the first position only sees itself
(setq causal (torch_flash_attention_forward m x x x true))
(setq first_only (torch_flash_attention_forward m (torch_slice x 1 0 1) (torch_slice x 1 0 1) (torch_slice x 1 0 1)))
(expect "causal forward: position 0 attends to itself only"
   (< (max_diff (torch_slice causal 1 0 1) first_only) 1.0e-5))

; --- dropout on and off
(torch_train m)
(setq d_off (torch_flash_attention_with_dropout m x x x 0.5 nil))
(setq d_on (torch_flash_attention_with_dropout m x x x 0.5 true))
(expect "with_dropout training=nil: no dropout" (< (max_diff d_off out) 1.0e-5))
(expect "with_dropout training=true: dropout applied" (> (max_diff d_on out) 1.0e-3))

; --- scaled dot product attention, documented 6-argument form, and torch_flash_attention
(setq q (torch_randn (integers 1 4 16 16)))
(setq k (torch_randn (integers 1 4 16 16)))
(setq v (torch_randn (integers 1 4 16 16)))
(setq sdpa (torch_scaled_dot_product_attention q k v nil 0.0 nil))
(setq manual (torch_matmul (torch_softmax (torch_mul_scalar (torch_matmul q (torch_transpose k 2 3)) 0.25) -1) v))
(expect "torch_scaled_dot_product_attention q k v nil 0.0 nil = softmax(qkᵀ/√d)v" (< (max_diff sdpa manual) 1.0e-5))
(expect "torch_flash_attention q k v [scale]"
   (and (< (max_diff (torch_flash_attention q k v 0.25) manual) 1.0e-5)
        (shape_is (torch_flash_attention q k v) '(1 4 16 16))))
(setq sdpa_causal (torch_scaled_dot_product_attention q k v nil 0.0 true))
(expect "SDPA causal differs from non-causal except at the last position"
   (and (> (max_diff sdpa_causal sdpa) 1.0e-3)
        (< (max_diff (torch_slice sdpa_causal 2 15 16) (torch_slice sdpa 2 15 16)) 1.0e-5)))

; --- gradients flow through the module
(torch_eval m)
(setq xg (torch_requires_grad (torch_randn (integers 1 6 64)) true))
(setq loss (torch_mse_loss (torch_flash_attention_forward m xg xg xg) (torch_zeros (integers 1 6 64))))
(torch_backward loss)
(setq g (torch_grad xg))
(expect "gradients flow to the input" (and g (shape_is g '(1 6 64)) (> (torch_max (torch_abs g)) 0.0)))
(expect "gradients reach every projection"
   (= (size (filter (λ (p) (torch_grad p)) (torch_parameters m))) (size (torch_parameters m))))

; --- 8K tokens on the CPU (no 8192×8192 matrix is built)
(torch_set_grad_enabled nil)
(setq long (torch_randn (integers 1 8192 64)))
(setq long_ms (elapse (setq long_out (torch_flash_attention_forward m long long long))))
(torch_set_grad_enabled true)
(println "8192 tokens:" long_ms "ms")
(expect "8K tokens processed" (and (shape_is long_out '(1 8192 64)) (finite long_out)))

(println "===" passed "passed," failed "failed ===")
(if (> failed 0) (throw (+ (string failed) " flash attention test(s) failed")))
passed
