#!/usr/bin/env bash
# Stages everything a GPU machine (no Node, no network; see ../shared/gpu/README.md) needs
# under .gpu/ (git-ignored, < 64 MiB): Node, the compiled JS, both addons, the production
# node_modules plus uvu, the peers and the data sets. Then run, with the device tool,
#   bash scripts/gpu_check.sh          (carry: [".gpu"], logs and RESULTS under $OUT)
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
shared=${NEUREC_SHARED:-$root/../shared}
bash "$shared/gpu/pack-node.sh" >/dev/null
npm run build:native >/dev/null
npm run build:cuda
npx tsc -p .
app=.gpu/app
rm -rf "$app" .gpu/shared
mkdir -p "$app/build/Release" "$app/out/Release" "$app/node_modules" .gpu/shared/data
cp -r dist package.json "$app/"
cp build/Release/neurec_cpu.node "$app/build/Release/"
cp out/Release/neurec_cuda.node "$app/out/Release/"
# bindings (+ its one dependency) at run time; uvu (+ its dependencies) for the equivalence suite.
for m in bindings file-uri-to-path uvu dequal diff kleur sade mri; do cp -r "node_modules/$m" "$app/node_modules/"; done
cp -r "$shared/peers" .gpu/shared/
rm -rf .gpu/shared/peers/tfjs
# ml-1m-ncf (+ its titles) only: with Node (24 MB) and the addons, ml-100k (16 MB) would pass 64 MiB.
for d in ml-1m-ncf ml-1m; do cp -r "$shared/data/$d" .gpu/shared/data/; done
cp scripts/gpu_check.sh .gpu/
du -sh .gpu
