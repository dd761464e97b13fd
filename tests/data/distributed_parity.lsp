; Data-parallel (torch_ddp) and sharded (torch_fsdp) training of one seeded model on a global
; batch split between the ranks; run alone it trains on the whole batch (a world of one).
; Used by tests/test_distributed.py and tools/gpu_fsdp_check.sh:
;   lispe-py --nproc 2 tests/data/distributed_parity.lsp OUT_DIR
;   lispe-py tests/data/distributed_parity.lsp OUT_DIR
; Writes OUT_DIR/plain.pt (no wrapper, whole batch), ddp.pt, fsdp.pt (rank 0 writes both),
; fsdp_dcp.pt (a fresh model restored from the sharded checkpoint OUT_DIR/dcp), fsdp_loaded.pt
; (fsdp.pt loaded into a fresh sharded model).

(use 'lispe_torch)

(setq out (+ (@ _args 1) "/"))
(setq no_fsdp (in _args "--no-fsdp"))
(torch_distributed_init)
(setq rank (torch_distributed_rank))
(setq world (torch_distributed_world_size))
(setq device (torch_distributed_device))
(println "rank" rank "of" world "on" device)

; ---------------------------------------------------------------- collectives
(setq v (torch_distributed_all_reduce (torch_tensor (floats (+ rank 1) (* 2 (+ rank 1)))) "sum"))
(println "rank" rank "all_reduce sum" (torch_to_list v))
(println "rank" rank "all_reduce mean" (torch_distributed_all_reduce (+ rank 1) "mean"))
(println "rank" rank "all_reduce max" (torch_distributed_all_reduce (+ rank 1) "max"))
(println "rank" rank "all_reduce min" (torch_distributed_all_reduce (+ rank 1) "min"))
(println "rank" rank "broadcast" (torch_to_list (torch_distributed_broadcast
                                     (torch_tensor (floats (* 10 (+ rank 1)))) (- world 1))))
(println "rank" rank "broadcast value" (torch_distributed_broadcast (list "from" rank) 0))
(println "rank" rank "shard" (torch_distributed_shard (integers 1 2 3 4 5)))
(torch_distributed_barrier)

; ---------------------------------------------------------------- data and model
(torch_manual_seed 1)
(setq X (torch_to_device (torch_randn (integers 8 4)) device))
(setq Y (torch_to_device (torch_randn (integers 8 3)) device))
(setq x (torch_distributed_shard X))
(setq y (torch_distributed_shard Y))
(println "rank" rank "local batch" (torch_shape x))

(defun make_model ()
   (torch_manual_seed 0)
   (setq m (list (torch_linear 4 8) (torch_layer_norm 8) (torch_linear 8 3)))
   (loop l m (torch_to_device l device))
   m)

(defun forward (m x)
   (torch_linear_forward (@ m 2)
      (torch_relu (torch_layer_norm_forward (@ m 1) (torch_linear_forward (@ m 0) x)))))

(defun train (m opt xs ys)
   (loopcount 5
      (torch_optimizer_zero_grad opt)
      (setq loss (torch_mse_loss (forward m xs) ys))
      (torch_backward loss)
      (torch_clip_grad_norm opt 100.0)
      (torch_optimizer_step opt))
   (torch_item loss))

; one process on the whole batch
(setq plain (make_model))
(println "rank" rank "plain loss" (train plain (torch_optimizer plain 0.05 "adam") X Y))
(if (= rank 0) (torch_save_model plain (+ out "plain.pt")))

; DistributedDataParallel on this rank's part
(setq ddp (torch_ddp (make_model)))
(setq loss (train ddp (torch_optimizer ddp 0.05 "adam") x y))
(println "rank" rank "ddp local loss" loss "mean" (torch_distributed_all_reduce loss "mean"))
(torch_eval ddp)
(println "rank" rank "ddp parameters" (size (torch_parameters ddp)))
(if (= rank 0) (torch_save_model ddp (+ out "ddp.pt")))

; FSDP2: every rank saves (the full weights are gathered), rank 0 writes
(if (not no_fsdp)
   (block
      (setq fsdp (torch_fsdp (make_model)))
      (setq opt (torch_optimizer fsdp 0.05 "adam"))
      (println "rank" rank "fsdp local loss" (train fsdp opt x y))
      (torch_save_model fsdp (+ out "fsdp.pt"))
      (torch_save_checkpoint fsdp opt 5 (+ out "fsdp_checkpoint.pt"))   ; gathered optimizer state too
      (torch_distributed_save_checkpoint fsdp opt (+ out "dcp") 5)
      (setq again (torch_fsdp (make_model)))
      (setq opt2 (torch_optimizer again 0.05 "adam"))
      (println "rank" rank "dcp step" (torch_distributed_load_checkpoint again opt2 (+ out "dcp")))
      (torch_save_model again (+ out "fsdp_dcp.pt"))
      ; a full file loaded into a sharded model: each rank keeps its shard
      (setq third (torch_fsdp (make_model)))
      (torch_load_model third (+ out "fsdp.pt"))
      (torch_eval third)
      (torch_save_model third (+ out "fsdp_loaded.pt"))))
(torch_distributed_barrier)
world
