#!/usr/bin/env bash
# Runs on the lent GPU machine over the tree staged by scripts/gpu_stage.sh:
#   1. the CUDA-vs-CPU equivalence suite (every kernel id, odd and large sizes),
#   2. `npm run bench -- --device cuda` beside torch_ops_bench.py --device cuda,
#   3. NeuMF and I-AutoRec on ml-1m-ncf with --device cuda beside the PyTorch peers.
# Everything is logged under $OUT (or ./gpu-out); one step failing (or passing its
# NEUREC_GPU_STEP_S limit, 150 s by default) does not stop the rest.
set -uo pipefail
out=${OUT:-$PWD/gpu-out}
mkdir -p "$out" /tmp/n
xz -dc .gpu/node.xz > /tmp/n/node && chmod +x /tmp/n/node
export PATH=/tmp/n:$PATH
nvidia-smi -L | tee "$out/device.txt"
shared=$PWD/.gpu/shared
export NEUREC_DATA_DIR=$shared/data NEUREC_PEERS_DIR=$shared/peers
cd .gpu/app
step() { local name=$1; shift; echo "== $name: $*"; local t=$(date +%s); timeout "${NEUREC_GPU_STEP_S:-150}" "$@" > "$out/$name.log" 2>&1; echo "== $name: rc $? in $(( $(date +%s) - t )) s"; tail -5 "$out/$name.log"; }
step equivalence node node_modules/uvu/bin.js dist/test 'cuda_vs_cpu\.test\.js$'
mkdir -p bench && cp -f ../../bench/RESULTS.md bench/ 2>/dev/null
step bench node dist/bench/run.js --device cuda --write --json
cp bench/RESULTS.md "$out/RESULTS.md" 2>/dev/null
epochs=${NEUREC_GPU_EPOCHS:-3}
step neumf_cuda node dist/src/cli/main.js train --model neumf --dataset ml-1m-ncf --device cuda --epochs "$epochs" --validation none --json
step neumf_torch python3 "$shared/peers/torch_ncf.py" --data ml-1m-ncf --model neumf --device cuda --epochs "$epochs"
step autorec_cuda node dist/src/cli/main.js train --model autoencoder --dataset ml-1m-ncf --device cuda --epochs "$epochs" --json
step autorec_torch python3 "$shared/peers/torch_autorec.py" --data ml-1m-ncf --split random90 --device cuda --epochs "$epochs"
ls -la "$out"
