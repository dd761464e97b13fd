; The tiny causal language model of tiny_lm.lsp, trained data-parallel: each process draws its
; part of every global batch, DistributedDataParallel averages the gradients between them
; (with --fsdp: FSDP2 shards the parameters, each transformer block then the root).
; Alone, it is a world of one and trains exactly as tiny_lm.lsp does.
; Run: lispe-py --nproc 2 examples/ddp_tiny_lm.lsp          (2 processes: gloo on CPU, NCCL on GPUs)
;      lispe-py --nproc 2 examples/ddp_tiny_lm.lsp --fsdp   (sharded parameters)
;      lispe-py examples/ddp_tiny_lm.lsp --quick            (one process, 60 steps, for the tests)
;      torchrun --nproc-per-node 2 -m lispe_py examples/ddp_tiny_lm.lsp   (the same, by hand)

(use 'lispe_torch)

(torch_distributed_init)
(setq rank (torch_distributed_rank))
(setq world (torch_distributed_world_size))
(setq device (torch_distributed_device))
(setq main (= rank 0))
(setq use_fsdp (in _args "--fsdp"))
(if main (println "process group:" world "process(es), this one on" device
                  (if use_fsdp "(FSDP2)" "(DistributedDataParallel)")))

(setq data_dir (+ _current "data/"))
(setq corpus_path (+ data_dir "corpus.txt"))
(setq sp_prefix (+ data_dir "tiny_lm_ddp_sp"))
(setq model_path (+ data_dir "tiny_lm_ddp.pt"))

; ---------------------------------------------------------------- tokenizer and data
; the first process of each host trains the tokenizer, the others wait for its files
(if (= (torch_distributed_local_rank) 0)
   (block
      (println "training a SentencePiece tokenizer (BPE, 400 pieces) on" corpus_path "...")
      (torch_train_sentencepiece corpus_path sp_prefix 400 "bpe")))
(torch_distributed_barrier)
(setq tok (torch_sentencepiece_tokenizer (+ sp_prefix ".model")))
(setq vocab (torch_vocab_size tok))
(setq ids (torch_encode tok (fread corpus_path)))
(setq n_tokens (size ids))
(if main (println "corpus:" n_tokens "tokens, vocabulary" vocab))

(setq T 32)                                ; context length
(setq B 16)                                ; global batch: B windows over all the processes
(setq local_B (max 1 (integer (/ B world))))   ; this process's part
(setq E 64)                                ; embedding size
(setq H 4)                                 ; attention heads

; ---------------------------------------------------------------- the model
(defun make_model ()
   (setq m (list
      (torch_embedding vocab E)
      (torch_positional_encoding E T)
      (torch_transformer_block E H (* 4 E) {"flash":true "causal":true "batch_first":true})
      (torch_transformer_block E H (* 4 E) {"flash":true "causal":true "batch_first":true})
      (torch_layer_norm E)
      (torch_linear E vocab)))
   (loop layer m (torch_to_device layer device))
   m)

(defun forward (model x)
   ; x: [batch, seq] token ids -> logits [batch, seq, vocab]
   (setq h (torch_embedding_forward (@ model 0) x))
   (setq h (torch_transpose (torch_positional_forward (@ model 1) (torch_transpose h 0 1)) 0 1))
   (setq h (torch_transformer_forward (@ model 2) h))
   (setq h (torch_transformer_forward (@ model 3) h))
   (torch_linear_forward (@ model 5) (torch_layer_norm_forward (@ model 4) h)))

(defun window (start len)
   (torch_reshape (torch_slice ids 0 start (+ start len)) (integers 1 len)))

(defun batch ()
   ; local_B random windows of T+1 tokens (each process draws its own): inputs, targets
   (setq rows (list))
   (loop start (torch_to_list (torch_randint 0 (- n_tokens T 1) (integers local_B)))
      (push rows (window start (+ T 1))))
   (setq all (torch_to_device (torch_cat rows 0) device))
   (list (torch_slice all 1 0 T) (torch_slice all 1 1 (+ T 1))))

(defun loss_of (model xy)
   (torch_cross_entropy (torch_reshape (forward model (@ xy 0)) (integers -1 vocab))
                        (torch_reshape (@ xy 1) (integers -1))))

; ---------------------------------------------------------------- training
; the same initial weights everywhere (DDP also broadcasts rank 0's), then each process its
; own random windows
(torch_manual_seed 0)
(setq model (if use_fsdp (torch_fsdp (make_model)) (torch_ddp (make_model))))
(torch_manual_seed (+ 1000 rank))
(setq optimizer (torch_optimizer model 0.003 "adamw"))    ; after the wrapper (FSDP shards)
(setq quick (in _args "--quick"))
(setq epochs (if quick 3 6))
(setq steps (if quick 20 50))
(setq epoch_losses (list))
(if main (println "training" (* epochs steps) "steps (" epochs "epochs of" steps "global batches of"
                  B "windows of" T "tokens," local_B "per process)..."))
(setq t0 (elapse
   (loopcount epochs epoch
      (setq total 0.0)
      (loopcount steps step
         (if main (torch_progress (+ (* epoch steps) step 1) (* epochs steps) "training"))
         (torch_optimizer_zero_grad optimizer)
         (setq loss (loss_of model (batch)))
         (torch_backward loss)
         (torch_clip_grad_norm optimizer 1.0)
         (torch_optimizer_step optimizer)
         (setq total (+ total (at loss 0))))
      ; the mean loss over every process's windows
      (setq mean_loss (/ (torch_distributed_all_reduce total "mean") steps))
      (push epoch_losses mean_loss)
      (if main (println "epoch" (+ epoch 1) "/" epochs "loss" mean_loss)))))
(if main (println "trained" (* epochs steps) "steps in" (integer (/ t0 1000)) "s"))
(if (not (< (@ epoch_losses -1) (* (if quick 0.9 0.8) (@ epoch_losses 0))))
   (throw "the loss did not go down"))

; ---------------------------------------------------------------- save, reload, generate
; every process calls torch_save_model (under FSDP it gathers the shards); rank 0 writes the
; unwrapped weights, which a plain model loads without any process group
(if main (println "saving the model to" model_path "and loading it into a plain one..."))
(torch_save_model model model_path)
(torch_eval model)
(torch_set_grad_enabled nil)
(setq probe (batch))
(setq trained_logits (torch_to_cpu (forward model (@ probe 0))))
(torch_distributed_barrier)

(defun continue_text (m prompt n)
   (setq tokens (integers (torch_to_list (torch_encode tok prompt))))
   (loopcount n
      (setq context (@@ tokens (max 0 (- (size tokens) T)) 0))
      (setq logits (forward m (torch_reshape (torch_tensor context) (integers 1 -1))))
      (setq final (torch_select (torch_select logits 0 0) 0 -1))
      (push tokens (torch_item (torch_argmax final 0 nil))))
   (torch_decode tok tokens))

(if main
   (block
      (setq tolerance (if (= device "cpu") 1.0e-5 5.0e-2))   ; TF32 on the GPU, fp32 here
      (setq device "cpu")                  ; the plain model stays on the CPU
      (setq reloaded (make_model))
      (torch_load_model reloaded model_path)
      (torch_eval reloaded)
      (setq same (torch_max (torch_abs (torch_sub trained_logits
                                                  (forward reloaded (torch_to_cpu (@ probe 0)))))))
      (println "reloaded model: max difference of logits" same)
      (if (> same tolerance) (throw "the reloaded model differs"))
      (setq prompt "The river")
      (println "prompt:" prompt)
      (println "greedy continuation:" (continue_text reloaded prompt 20))))
(torch_set_grad_enabled true)
(@ epoch_losses -1)
