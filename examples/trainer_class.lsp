; A small trainer class in the style of the lispetorch author's lora_training.lisp: gradient
; accumulation, gradient clipping, a warmup-cosine learning-rate schedule, and every N optimizer
; steps a log line, a validation pass and a checkpoint (the best validation loss kept). At the
; end the best checkpoint is loaded into a fresh model, which must give that validation loss.
;
; The model is a character-level bigram language model (embedding -> linear head) over the
; shipped corpus: nothing is downloaded, a few seconds on a CPU.
; Checkpoints go to a temporary folder, removed at the end. The losses depend on the random
; initialisation, so the numbers change from run to run; the checks at the end do not.
;
; Run: lispe-py examples/trainer_class.lsp

(use 'lispe_torch)

(setq corpus_path (+ _current "data/corpus.txt"))
(setq checkpoint_dir (trim (@ (command "mktemp -d") 0)))

(setq training-config (dictionary
   "embedding" 48
   "learning_rate" 2e-2
   "weight_decay" 0.01
   "batch_tokens" 256
   "gradient_accumulation_steps" 2
   "max_grad_norm" 1.0
   "warmup_steps" 5
   "min_lr" 1e-4
   "total_steps" 40
   "logging_steps" 10
   "eval_steps" 10
   "save_steps" 20
))

; ---------------------------------------------------------------- data

(class@ Corpus (path init)
   (defun configure()
      ; character-level tokens: the distinct characters of the corpus, in code order
      (setq codes (ord (fread path)))
      (setqi alphabet (sort '< (unique codes)))
      (setq index (dictionaryi))
      (loop c alphabet (set@ index c (size index)))
      (setqi vocab (size alphabet))
      (setqi ids (tensor_create (integers (map (λ (c) (@ index c)) codes))))
      (setq n (size codes))
      (setqi split_at (integer (* n 0.9)))
      (setqi train_ids (tensor_slice ids 0 0 split_at))
      (setqi valid_ids (tensor_slice ids 0 split_at n))
      true)

   (defun random_batch(batch_tokens)
      ; batch_tokens consecutive (input, next token) pairs from a random place of the train part
      (setq start (tensor_item (tensor_randint 0 (- split_at batch_tokens 1) (integers 1))))
      (list (tensor_slice train_ids 0 start (+ start batch_tokens))
            (tensor_slice train_ids 0 (+ start 1) (+ start batch_tokens 1))))

   (defun validation_batches(batch_tokens)
      ; the validation part in consecutive, fixed chunks (the same every time)
      (setq batches (list))
      (setq n (size valid_ids))
      (setq start 0)
      (while (< (+ start batch_tokens 1) n)
         (push batches (list (tensor_slice valid_ids 0 start (+ start batch_tokens))
                             (tensor_slice valid_ids 0 (+ start 1) (+ start batch_tokens 1))))
         (+= start batch_tokens))
      batches)
)

; ---------------------------------------------------------------- the trainer

(class@ Trainer (corpus config init)
   (defun configure()
      (setqi model (make_model))
      (setqi optimizer (torch_optimizer_add_params (torch_parameters model)
         (@ config "learning_rate") (@ config "weight_decay")))
      (setqi scheduler (torch_lr_scheduler optimizer "linear_warmup_cosine"
         (dictionary "initial_lr" (@ config "learning_rate") "min_lr" (@ config "min_lr")
                     "total_steps" (@ config "total_steps")
                     "warmup_steps" (@ config "warmup_steps"))))
      (setqi global_step 0)
      (setqi best_loss 1000.0)
      (setqi best_step 0)
      (setqi best_path "")
      (setqi validation_history (list))
      (setqi saved (list))
      true)

   (defun make_model()
      (setq E (@ config "embedding"))
      (setq V (@ corpus 'vocab))
      (list (torch_embedding V E) (torch_linear E V)))

   (defun forward(m x)
      (torch_linear_forward (@ m 1) (torch_embedding_forward (@ m 0) x)))

   (defun loss_of(m xy)
      (torch_cross_entropy (forward m (@ xy 0)) (@ xy 1)))

   (defun train_step()
      ; one optimizer step over gradient_accumulation_steps micro-batches; the mean loss
      (setq accum (@ config "gradient_accumulation_steps"))
      (torch_optimizer_zero_grad optimizer)
      (setq total 0.0)
      (loopcount accum
         (setq loss (loss_of model (corpus Corpus (random_batch (@ config "batch_tokens")))))
         (torch_backward (tensor_div_scalar loss accum))
         (+= total (@ loss 0)))
      (torch_clip_grad_norm optimizer (@ config "max_grad_norm"))
      (torch_optimizer_step optimizer)
      (torch_scheduler_step scheduler)
      (+= global_step 1)
      (/ total accum))

   (defun validate(m)
      (torch_set_grad_enabled false)
      (setq batches (corpus Corpus (validation_batches (@ config "batch_tokens"))))
      (setq total 0.0)
      (loop xy batches (+= total (@ (loss_of m xy) 0)))
      (torch_set_grad_enabled true)
      (/ total (size batches)))

   (defun save_checkpoint(tag)
      (setq path (+ checkpoint_dir "/step_" tag ".pt"))
      (torch_save_checkpoint model optimizer global_step path)
      (push saved path)
      path)

   (defun train()
      (setq recent 0.0)
      (loopcount (@ config "total_steps")
         (+= recent (train_step))
         (check (== (% global_step (@ config "logging_steps")) 0)
            (println "step" global_step "| loss" (/ (round (* 1000 (/ recent (@ config "logging_steps")))) 1000.0)
                     "| lr" (torch_scheduler_get_lr scheduler))
            (setq recent 0.0))
         (check (== (% global_step (@ config "eval_steps")) 0)
            (setq val (validate model))
            (push validation_history val)
            (println "  validation loss" (/ (round (* 1000 val)) 1000.0))
            (check (< val best_loss)
               (setqi best_loss val)
               (setqi best_step global_step)
               (setqi best_path (save_checkpoint "best"))))
         (check (== (% global_step (@ config "save_steps")) 0)
            (println "  checkpoint" (save_checkpoint global_step))))
      best_loss)

   (defun restore_best()
      ; a fresh model and optimizer, filled from the best checkpoint
      (setq fresh (make_model))
      (setq fresh_optimizer (torch_optimizer_add_params (torch_parameters fresh)
         (@ config "learning_rate") (@ config "weight_decay")))
      (setq step (torch_load_checkpoint best_path fresh fresh_optimizer))
      (list step fresh))
)

; ---------------------------------------------------------------- main

(setq corpus (Corpus corpus_path (configure)))
(println "corpus:" (size (@ corpus 'ids)) "characters, vocabulary" (@ corpus 'vocab)
         "| train" (@ corpus 'split_at) "characters")

(setq trainer (Trainer corpus training-config (configure)))
(setq first_val (trainer (validate (@ trainer 'model))))
(println "validation loss before training" (/ (round (* 1000 first_val)) 1000.0))
(setq best (trainer (train)))

(setq restored (trainer (restore_best)))
(setq again (trainer (validate (@ restored 1))))
(println "best checkpoint: step" (@ restored 0) "| validation loss" (/ (round (* 1000 again)) 1000.0))

(check (not (< best first_val)) (throw "the validation loss did not go down"))
(check (!= (@ restored 0) (@ trainer 'best_step)) (throw "the checkpoint holds another step"))
(check (> (fabs (- again best)) 1e-5) (throw "the restored model gives another validation loss"))
(println "checkpoints written:" (size (@ trainer 'saved)) "| steps trained:" (@ trainer 'global_step))
(command (+ "rm -rf " checkpoint_dir))
(println "ok")
