; A tiny causal language model trained on the shipped corpus:
; SentencePiece tokens -> embedding + sinusoidal positions -> 2 flash-attention transformer
; blocks (causal) -> layer norm -> linear head. Trained with AdamW, saved, reloaded, and used
; to continue a prompt greedily.
; Run: lispe-py examples/tiny_lm.lsp     (300 steps: one to three minutes on a CPU)
;      lispe-py examples/tiny_lm.lsp --quick   (the same pipeline with 60 steps, for the tests)

(use 'lispe_torch)

(setq data_dir (+ _current "data/"))
(setq corpus_path (+ data_dir "corpus.txt"))
(setq sp_prefix (+ data_dir "tiny_lm_sp"))
(setq model_path (+ data_dir "tiny_lm.pt"))

; ---------------------------------------------------------------- tokenizer and data
(println "training a SentencePiece tokenizer (BPE, 400 pieces) on" corpus_path "...")
(torch_train_sentencepiece corpus_path sp_prefix 400 "bpe")
(setq tok (torch_sentencepiece_tokenizer (+ sp_prefix ".model")))
(setq vocab (torch_vocab_size tok))
(setq ids (torch_encode tok (fread corpus_path)))
(setq n_tokens (size ids))
(println "corpus:" n_tokens "tokens, vocabulary" vocab)

(setq T 32)        ; context length
(setq B 16)        ; batch size
(setq E 64)        ; embedding size
(setq H 4)         ; attention heads

; ---------------------------------------------------------------- the model
(defun make_model ()
   (list
      (torch_embedding vocab E)
      (torch_positional_encoding E T)
      (torch_transformer_block E H (* 4 E) {"flash":true "causal":true "batch_first":true})
      (torch_transformer_block E H (* 4 E) {"flash":true "causal":true "batch_first":true})
      (torch_layer_norm E)
      (torch_linear E vocab)))

(defun forward (model x)
   ; x: [batch, seq] token ids -> logits [batch, seq, vocab]
   (setq h (torch_embedding_forward (@ model 0) x))
   ; the positional table is sequence-first: [seq, batch, E]
   (setq h (torch_transpose (torch_positional_forward (@ model 1) (torch_transpose h 0 1)) 0 1))
   (setq h (torch_transformer_forward (@ model 2) h))
   (setq h (torch_transformer_forward (@ model 3) h))
   (torch_linear_forward (@ model 5) (torch_layer_norm_forward (@ model 4) h)))

(defun window (start len)
   (torch_reshape (torch_slice ids 0 start (+ start len)) (integers 1 len)))

(defun batch ()
   ; B random windows of T+1 tokens: inputs are the first T, targets the last T
   (setq rows (list))
   (loop start (torch_to_list (torch_randint 0 (- n_tokens T 1) (integers B)))
      (push rows (window start (+ T 1))))
   (setq all (torch_cat rows 0))
   (list (torch_slice all 1 0 T) (torch_slice all 1 1 (+ T 1))))

(defun loss_of (model xy)
   (torch_cross_entropy (torch_reshape (forward model (@ xy 0)) (integers -1 vocab))
                        (torch_reshape (@ xy 1) (integers -1))))

; ---------------------------------------------------------------- training
(setq model (make_model))
(setq optimizer (torch_optimizer model 0.003 "adamw"))
(setq quick (in _args "--quick"))
(setq epochs (if quick 3 6))
(setq steps (if quick 20 50))
(setq epoch_losses (list))
(println "training" (* epochs steps) "steps (" epochs "epochs of" steps "batches of" B "windows of" T "tokens)...")
(setq t0 (elapse
   (loopcount epochs epoch
      (setq total 0.0)
      (loopcount steps step
         (torch_progress (+ (* epoch steps) step 1) (* epochs steps) "training")
         (torch_optimizer_zero_grad optimizer)
         (setq loss (loss_of model (batch)))
         (torch_backward loss)
         (torch_clip_grad_norm optimizer 1.0)
         (torch_optimizer_step optimizer)
         (setq total (+ total (at loss 0))))
      (push epoch_losses (/ total steps))
      (println "epoch" (+ epoch 1) "/" epochs "loss" (/ total steps)))))
(println "trained" (* epochs steps) "steps in" (integer (/ t0 1000)) "s")
(if (not (< (@ epoch_losses -1) (* (if quick 0.9 0.8) (@ epoch_losses 0))))
   (throw "the loss did not go down"))

; ---------------------------------------------------------------- save, reload, generate
(println "saving the model to" model_path "and loading it into a new one...")
(torch_save_model model model_path)
(setq reloaded (make_model))
(torch_load_model reloaded model_path)
(torch_eval model)
(torch_eval reloaded)
(torch_set_grad_enabled nil)
(setq probe (batch))
(setq same (torch_max (torch_abs (torch_sub (forward model (@ probe 0)) (forward reloaded (@ probe 0))))))
(println "reloaded model: max difference of logits" same)
(if (> same 1.0e-5) (throw "the reloaded model differs"))

(defun continue_text (m prompt n)
   (setq tokens (integers (torch_to_list (torch_encode tok prompt))))
   (loopcount n
      (setq context (@@ tokens (max 0 (- (size tokens) T)) 0))
      (setq logits (forward m (torch_reshape (torch_tensor context) (integers 1 -1))))
      (setq final (torch_select (torch_select logits 0 0) 0 -1))
      (push tokens (torch_item (torch_argmax final 0 nil))))
   (torch_decode tok tokens))

(setq prompt "The river")
(println "prompt:" prompt)
(println "greedy continuation:" (continue_text reloaded prompt 20))
(torch_set_grad_enabled true)
(@ epoch_losses -1)
