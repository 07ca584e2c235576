#!/usr/bin/env bash
# npm run test:asan: the CPU addon built with AddressSanitizer, then the whole test suite and the
# fuzz harness run against it, so a read or write outside a storage fails loudly.
#
# The ASan addon is binding.gyp with neurec_asan=1 (-fsanitize=address -O1 -g, and NEUREC_EXACT_ALLOC:
# each storage is an allocation of exactly its size, so ASan sees the first byte past it). It
# builds in build-asan/ (a folder whose binding.gyp and native/ link to the real ones), leaving
# build/Release, the addon everything else loads, alone; NEUREC_CPU_ADDON points the tests at it.
# Node itself is not instrumented: libasan is preloaded, and leak checking is off (V8 keeps
# memory to the end by design). NEUREC_CACHE_MB=0 sends every freed block back to ASan, so a use
# after free is caught too.
#   bash scripts/test_asan.sh [--fuzz-runs N]     (default 1000 runs per property after the suite)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
fuzz_runs=1000
if [[ ${1:-} == --fuzz-runs ]]; then fuzz_runs=$2; fi
start=$(date +%s)

out="$root/build-asan"
mkdir -p "$out"
ln -sfn "$root/binding.gyp" "$out/binding.gyp"
ln -sfn "$root/native" "$out/native"
ln -sfn "$root/node_modules" "$out/node_modules"
gyp=(node-gyp)
command -v node-gyp >/dev/null 2>&1 || gyp=(node "$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js")
# The node headers npm's own builds use (npm config nodedir), when this runs outside npm.
nodedir=${npm_config_nodedir:-$(npm config get nodedir 2>/dev/null || true)}
[[ -n $nodedir && $nodedir != undefined && $nodedir != null ]] && gyp+=(--nodedir="$nodedir")
(cd "$out" && "${gyp[@]}" configure -- -Dneurec_asan=1 >/dev/null && "${gyp[@]}" build -j 2 >/dev/null)
addon="$out/build/Release/neurec_cpu.node"
echo "test:asan: AddressSanitizer addon $addon built in $(( $(date +%s) - start )) s"

npx tsc -p .
libasan=$(${CXX:-g++} -print-file-name=libasan.so)
[[ -f $libasan ]] || { echo "test:asan: libasan.so not found (apt-get install libasan8, or the gcc that built the addon)" >&2; exit 1; }
export LD_PRELOAD="$libasan"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=0:allocator_may_return_null=1:quarantine_size_mb=16"
export NEUREC_CPU_ADDON="$addon" NEUREC_CACHE_MB=0

# The addon that loads must be the instrumented one.
node -e "
  const a = require('$root/dist/src/backend/load.js').cpu();
  if (!require('fs').readFileSync('$addon').includes('__asan_init')) throw new Error('not an ASan build: $addon');
  console.log('test:asan: loaded', a.capabilities().kernels.length, 'kernels from the ASan addon');"

t=$(date +%s)
node_modules/.bin/uvu dist/test '\.test\.js$'
echo "test:asan: test suite under ASan: $(( $(date +%s) - t )) s"
t=$(date +%s)
node dist/test/fuzz/main.js --seed 2525 --runs "$fuzz_runs"
echo "test:asan: fuzz harness under ASan: $(( $(date +%s) - t )) s"
echo "test:asan: total $(( $(date +%s) - start )) s"
