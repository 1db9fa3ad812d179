#!/usr/bin/env bash
# The kernel's GPU checks in one device call: the kernel and backend tests compiled (not
# interpreted), then `kernels.bench` on a few sizes. Logs and the table go to $1.
#   bash scripts/gpu_checks.sh OUT [TEST_SECONDS] [BENCH_SECONDS] [SIZES...]
set -u -o pipefail
out=${1:?an output folder}; test_s=${2:-300}; bench_s=${3:-270}; shift $(( $# < 3 ? $# : 3 ))
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(16,16,1024,64 4,16,4096,128 2,16,8192,128 128,4,64,32)
mkdir -p "$out"
export PYTHONUNBUFFERED=1 TRITON_CACHE_DIR=${TRITON_CACHE_DIR:-/tmp/attnviz-triton-cache}
{ nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
  python3 -c "import sys, torch, triton; print('torch', torch.__version__, 'triton', triton.__version__, 'python', sys.version.split()[0])"
  git log -1 --format='commit %h %s' 2>/dev/null; } | tee "$out/versions.txt"
t0=$(date +%s)
timeout "$test_s" python3 -m pytest -q -p no:cacheprovider --continue-on-collection-errors \
    tests/test_kernel.py tests/test_nn.py tests/test_hf.py tests/test_models_transformer.py \
    --junitxml "$out/gpu_tests.xml" 2>&1 | tee "$out/gpu_tests.log" | tail -25
echo "tests: $(( $(date +%s) - t0 )) s"
t1=$(date +%s)
timeout "$bench_s" python3 -m kernels.bench --sizes "${sizes[@]}" --out "$out/bench.md" 2>&1 \
    | tee "$out/bench.log" | tail -30
echo "bench: $(( $(date +%s) - t1 )) s"
