#!/usr/bin/env bash
# Runs the CUDA kernels (kernels/*.cu) in the host emulator against the CPU kernels
# (native/cpu/*.cc); see kernels/emu/README.md. Exits non-zero on any mismatch.
#   bash kernels/emu/run.sh [family ...]     (elementwise shape init dropout optim losses
#                                             gather topk linear batchnorm tower; default all)
# Objects are kept in $NEUREC_EMU_BUILD (default /tmp/neurec-emu) and rebuilt when a source or
# header they include changes. One compiler at a time: the machines this runs on are small.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
emu="$root/kernels/emu"
out="${NEUREC_EMU_BUILD:-/tmp/neurec-emu}"
# EMU_ASAN=1: AddressSanitizer on the emulated kernels, so a read out of bounds is caught too
# (device memory and the checks' guard zones); a build of its own, about 3x slower.
asan=()
if [[ ${EMU_ASAN:-0} == 1 ]]; then
  asan=(-fsanitize=address -fno-omit-frame-pointer)
  out="$out-asan"
fi
mkdir -p "$out/src" "$out/obj"
exec 9>"$out/.lock" && flock 9  # one build at a time in a build directory
start=$(date +%s)

# The CUDA sources as C++ for the shim (memory_cuda.cu is the N-API glue: not a kernel).
cus=()
for f in "$root"/kernels/*.cu; do [[ $(basename "$f") == memory_cuda.cu ]] || cus+=("$f"); done
cus+=("$emu/selftest.cu")  # the emulator's own checks
(cd "$root" && python3 "$emu/pre.py" "$out/src" "${cus[@]}" kernels/*.cuh)

# Emulated kernels and the checks: C++20, no FMA contraction (plain x86-64 has no FMA).
kflags=(-std=c++20 -O1 -pthread "${asan[@]}" -I"$emu/include" -I"$out/src" -I"$root/kernels" -I"$root/native" -Wall
  -Wno-unused -Wno-unknown-pragmas -Wno-sign-compare)
# The CPU reference: the addon's own flags (binding.gyp), so its results are the addon's.
cflags=(-std=c++17 -O3 -fno-math-errno -fno-trapping-math -pthread -I"$root/native" -Wall -Wno-unused-parameter)

objs=()
# compile SRC OBJ FLAGS...: only when OBJ is missing or older than SRC or a header it includes.
compile() {
  local src=$1 obj=$2
  shift 2
  objs+=("$obj")
  if [[ -f $obj && -f $obj.d ]]; then
    local stale=0 dep
    for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$obj.d"); do
      [[ $dep -nt $obj ]] && { stale=1; break; }
    done
    ((stale)) || return 0
  fi
  echo "  g++ $(basename "$src")"
  g++ "$@" -MMD -MF "$obj.d" -c "$src" -o "$obj"
}

for f in "${cus[@]}"; do
  b=$(basename "$f" .cu)
  compile "$out/src/$b.cc" "$out/obj/k_$b.o" "${kflags[@]}"
done
for f in "$root"/native/cpu/*.cc "$root/native/threadpool.cc" "$root/native/allocator.cc" "$root/native/cache_limit.cc"; do
  compile "$f" "$out/obj/c_$(basename "$f" .cc).o" "${cflags[@]}"
done
for f in "$emu"/runtime.cc "$emu"/check_*.cc; do
  compile "$f" "$out/obj/e_$(basename "$f" .cc).o" "${kflags[@]}"
done
bin="$out/emu_check"
newest=$(ls -t "${objs[@]}" | head -1)
[[ -x $bin && $bin -nt $newest ]] || g++ -pthread "${asan[@]}" "${objs[@]}" -o "$bin"
echo "built in $(($(date +%s) - start)) s"

# linear_tf32 needs NEUREC_CUDA_TF32=1 from the start of a process: it gets one of its own.
plain=() tf32=0
(($# == 0)) && tf32=1
for f in "$@"; do
  if [[ $f == linear_tf32 ]]; then tf32=1; else plain+=("$f"); fi
done
status=0
if (($# == 0 || ${#plain[@]} > 0)); then "$bin" "${plain[@]}" || status=$?; fi
if ((tf32)); then NEUREC_CUDA_TF32=1 "$bin" linear_tf32 || status=$?; fi
echo "run.sh: $(($(date +%s) - start)) s wall"
exit $status
