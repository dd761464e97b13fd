; The Llama-3.1 production configuration of the lispetorch v2.3 release notes,
; run on a full 8192-token context on the CPU (float32, no gradients).
; Run: lispe-py examples/llama_config.lsp           (20 s to a minute and a half on a CPU)
;      lispe-py examples/llama_config.lsp --quick   (1024 tokens instead of 8192, for the tests)

(use 'lispe_torch)

; Configuration optimised for production
(setq llama_config (dict
    "vocab_size" 128256      ; Llama-3.1 vocabulary
    "embed_dim" 4096         ; embedding dimension
    "num_heads" 32           ; attention heads
    "max_seq_length" 8192    ; Flash Attention makes 8K+ possible
    "flash_attention" true   ; memory-efficient processing
))
(println "Llama-3.1 configuration:" llama_config)

(setq seq_len (if (in _args "--quick") 1024 (get llama_config "max_seq_length")))
(setq embed_dim (get llama_config "embed_dim"))

; Flash Attention for long sequences
(println "[1/3] creating the attention module: 4 projections of 4096 x 4096 (67M parameters)...")
(setq flash_attn (torch_flash_attention_create 4096 32 0.1 true))
(println flash_attn)
(torch_eval flash_attn)               ; inference: no dropout
(torch_set_grad_enabled nil)          ; and no autograd graph

(println "[2/3] a random input of" seq_len "tokens x" embed_dim "dimensions")
(setq hidden (torch_randn (integers 1 seq_len embed_dim)))
(println "[3/3] causal flash attention over" seq_len "tokens (one call: about"
         (if (in _args "--quick") "2 s" "20 s to a minute") "on a CPU)...")
(setq ms (elapse (setq out (torch_flash_attention_forward flash_attn hidden hidden hidden true))))
(println "Causal flash attention over" seq_len "tokens:" (torch_shape out) "in" (integer ms) "ms")

; the N×N attention matrix that flash attention never builds
(setq naive_gb (/ (* 4.0 (get llama_config "num_heads") seq_len seq_len) 1073741824))
(println "A standard attention score matrix would need" naive_gb "GB for this one layer")
(if (not (= (torch_shape out) (integers 1 seq_len embed_dim)))
   (throw "unexpected output shape"))
(torch_shape out)
