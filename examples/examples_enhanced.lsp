; lispetorch v2.3 — the eight checks of the release notes, each verified before its ✅ is printed.
; Run: lispe-py examples/examples_enhanced.lsp
; Written in the documentation's style (torch_zeros, torch_rand, torch_transpose, dict, get...).

(use 'lispe_torch)

(setq failures 0)
(defun verify (label ok)
   (if ok
      (println "✅" label)
      (block
         (println "❌" label)
         (setg failures (+ failures 1)))))

(defun same_shape (t dims) (= (torch_shape t) (integers dims)))

(defun finite (t)
   ; a tensor is finite when it equals itself (no NaN) and its absolute maximum is not infinite
   (and (< (torch_max (torch_abs t)) 1.0e30) (= (torch_sum t) (torch_sum t))))

(println "=== lispetorch v2.3 enhanced examples ===")

; ------------------------------------------------------------------ 1. device detection
(setq device (torch_get_best_device))
(println "Best device:" device "| CUDA:" (torch_cuda_available) "| MPS:" (torch_mps_available))
(verify (+ "Device detection: " device)
   (or (= device "cpu") (= device "cuda") (= device "mps")))

; ------------------------------------------------------------------ 2. torch_rand, torch_transpose, at
(setq r (torch_rand (integers 2 3 4)))
(setq rt (torch_transpose r 1 2))
(setq v (torch_tensor (floats 10 20 30 40 50)))
(verify "Enhanced tensors: torch_rand, torch_transpose, at()"
   (and (same_shape rt '(2 4 3))
        (>= (torch_min r) 0.0) (< (torch_max r) 1.0)
        (= (at v 0) 10) (= (at v -1) 50) (= (at v -2) 40)))

; ------------------------------------------------------------------ 3. flash attention: create, forward, mask, dropout
(setq embed_dim 256)
(setq num_heads 8)
(setq flash (torch_flash_attention_create embed_dim num_heads 0.1 true))
(println flash)
(setq x (torch_rand (integers 2 16 embed_dim)))
(setq out (torch_flash_attention_forward flash x x x))
(setq mask (torch_ones (integers 2 num_heads 16 16)))
(setq out_masked (torch_flash_attention_with_mask flash x x x mask))
(setq out_drop (torch_flash_attention_with_dropout flash x x x 0.2 true))
(verify "Flash Attention: module creation + forward + masking + dropout"
   (and (same_shape out '(2 16 256)) (same_shape out_masked '(2 16 256))
        (same_shape out_drop '(2 16 256)) (finite out) (finite out_masked) (finite out_drop)))

; ------------------------------------------------------------------ 4. a 128-token sequence
(setq long_x (torch_randn (integers 1 128 embed_dim)))
(setq long_out (torch_flash_attention_forward flash long_x long_x long_x))
(verify "Long sequences: 128 tokens processed with linear memory"
   (and (same_shape long_out '(1 128 256)) (finite long_out)))

; ------------------------------------------------------------------ 5. tokenization round trip
(setq tokenizer (torch_simple_tokenizer))
(setq text "Flash Attention enables efficient processing of long sequences")
(setq ids (torch_encode tokenizer text))
(setq decoded (torch_decode tokenizer ids))
(println "Text:   " text)
(println "Tokens: " (torch_to_list ids))
(println "Decoded:" decoded)
(verify "Tokenization: text → tokens → decoded"
   (and (= (size ids) 10) (= (at ids 0) 2) (= (at ids -1) 3) (= decoded (lower text))))

; ------------------------------------------------------------------ 6. tokens → embedding → flash attention → layer norm
(setq vocab_size 1000)
(setq embedding (torch_embedding vocab_size embed_dim))
(setq layer_norm (torch_layer_norm embed_dim))
(setq batch (torch_pad_sequences (list ids (torch_encode tokenizer "long context")) 12 0))
(setq attn_mask (torch_reshape (torch_create_attention_mask batch 0) (integers 2 1 1 12)))
(setq hidden (torch_embedding_forward embedding batch))
(setq attended (torch_flash_attention_with_mask flash hidden hidden hidden attn_mask))
(setq normalized (torch_layer_norm_forward layer_norm (torch_add hidden attended)))
(verify "Pipeline: Tokenization → Embedding → Flash Attention → LayerNorm"
   (and (same_shape batch '(2 12)) (same_shape normalized '(2 12 256)) (finite normalized)
        (< (fabs (torch_mean normalized)) 0.01)))

; ------------------------------------------------------------------ 7. training with flash attention
(setq small (torch_flash_attention_create 32 4 0.0 true))
(setq head (torch_linear_create 32 1))
(setq model (list small head))
(setq optimizer (torch_optimizer model 0.01 "adam"))
(setq inputs (torch_randn (integers 4 8 32)))
(setq targets (torch_unsqueeze (torch_mean_dim inputs 2) 2))
(setq losses (list))
(loopcount 60 step
   (torch_optimizer_zero_grad optimizer)
   (setq prediction (torch_linear_forward head (torch_flash_attention_forward small inputs inputs inputs)))
   (setq loss (torch_mse_loss prediction targets))
   (torch_backward loss)
   (torch_optimizer_step optimizer)
   (push losses (at loss 0)))
(println "Loss: first" (at losses 0) "last" (at losses -1))
(verify "Training: memory-efficient with Flash Attention, loss goes down"
   (< (at losses -1) (* 0.5 (at losses 0))))

; ------------------------------------------------------------------ 8. flash vs standard attention
(setq n 1024)
(setq d 64)
(setq q (torch_randn (integers 1 num_heads n d)))
(setq k (torch_randn (integers 1 num_heads n d)))
(setq vv (torch_randn (integers 1 num_heads n d)))
(setq flash_ms (elapse (setq flash_out (torch_scaled_dot_product_attention q k vv))))
(setq standard_ms
   (elapse
      (setq scores (torch_mul_scalar (torch_matmul q (torch_transpose k 2 3)) (/ 1.0 (sqrt d))))
      (setq standard_out (torch_matmul (torch_softmax scores -1) vv))))
(setq score_mb (/ (* 4.0 num_heads n n) 1048576))
(println "Flash (SDPA):" flash_ms "ms | standard:" standard_ms "ms | the standard N×N score matrix alone:"
   score_mb "MB, flash keeps none")
(verify "Comparison: Flash vs standard attention give the same result"
   (< (torch_max (torch_abs (torch_sub flash_out standard_out))) 1.0e-4))

(println "===" (- 8 failures) "/ 8 checks passed ===")
(if (> failures 0) (throw (+ (string failures) " check(s) failed")))
failures
