#!/usr/bin/env bash
# DDP and FSDP2 on the GPUs of this host (NCCL), checked against one process.
#
#   tools/gpu_fsdp_check.sh          # a world of one on GPU 0, then every GPU if there are several
#   NPROC=2 tools/gpu_fsdp_check.sh  # the world of one, then 2 processes (needs 2 GPUs)
# (the number of processes is rounded down to 1, 2, 4 or 8).
#
# 1. tests/data/distributed_parity.lsp on cuda: the same seeded model trained 5 steps alone,
#    with torch_ddp and with torch_fsdp (+ a torch.distributed.checkpoint round trip); the
#    weights written by rank 0 must agree within TOL (default 1e-3: TF32 matrix products and
#    GPU reductions are not bit-exact).
# 2. examples/ddp_tiny_lm.lsp --quick, with DistributedDataParallel and with --fsdp: the loss
#    goes down, the saved weights reload into a plain model on the CPU.
# Exit status 0 when everything passed.
set -euo pipefail
cd "$(dirname "$0")/.."

gpus=$(python -c "import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)")
if [ "$gpus" -lt 1 ]; then
    echo "no CUDA device: nothing to check" >&2
    exit 1
fi
nproc=${NPROC:-$gpus}
[ "$nproc" -gt "$gpus" ] && nproc=$gpus
# the parity program's global batch has 8 samples: equal parts for 1, 2, 4 or 8 processes
for n in 8 4 2 1; do if [ "$nproc" -ge "$n" ]; then nproc=$n; break; fi; done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
python -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, '-', torch.cuda.get_device_name(0), 'x', torch.cuda.device_count())"

compare() {   # compare DIR: plain.pt vs ddp.pt, fsdp.pt, fsdp_dcp.pt, fsdp_loaded.pt
    python - "$1" <<'EOF'
import os, sys, torch
d = sys.argv[1]
def states(name):
    return torch.load("%s/%s.pt" % (d, name), weights_only=True)["states"]
def total(s):
    return sum(float(t.double().sum()) for st in s for t in st.values())
plain = states("plain")
worst = 0.0
for name in ("ddp", "fsdp", "fsdp_dcp", "fsdp_loaded"):
    s = states(name)
    diff = max((a[k] - b[k]).abs().max().item() for a, b in zip(plain, s) for k in a)
    worst = max(worst, diff)
    print("  %-9s parameter sum %.9f (one process %.9f), max difference %.3g"
          % (name, total(s), total(plain), diff))
tol = float(os.environ.get("TOL", "1e-3"))
sys.exit(0 if worst < tol else 1)
EOF
}

step() { echo; echo "== $*"; }

step "parity, a world of one on cuda:0 (NCCL)"
mkdir -p "$out/one"
CUDA_VISIBLE_DEVICES=0 python -m lispe_py tests/data/distributed_parity.lsp "$out/one" | grep -E "of 1 on|loss|dcp"
compare "$out/one"

step "tiny LM, FSDP2, a world of one"
(cd examples && CUDA_VISIBLE_DEVICES=0 python -m lispe_py ddp_tiny_lm.lsp --quick --fsdp)

step "tiny LM, DDP, a world of one"
(cd examples && CUDA_VISIBLE_DEVICES=0 python -m lispe_py ddp_tiny_lm.lsp --quick)

if [ "$nproc" -ge 2 ]; then
    step "parity, $nproc processes (lispe-py --nproc $nproc)"
    mkdir -p "$out/many"
    python -m lispe_py --nproc "$nproc" tests/data/distributed_parity.lsp "$out/many" | grep -E "of $nproc on|loss|dcp"
    compare "$out/many"
    step "tiny LM, FSDP2, $nproc processes"
    (cd examples && python -m lispe_py --nproc "$nproc" ddp_tiny_lm.lsp --quick --fsdp)
    step "tiny LM, DDP, $nproc processes (torchrun -m lispe_py)"
    (cd examples && python -m torch.distributed.run --standalone --nproc-per-node "$nproc" -m lispe_py ddp_tiny_lm.lsp --quick)
fi
echo
echo "gpu_fsdp_check: all passed"
