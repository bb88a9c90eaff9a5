#!/usr/bin/env bash
# The device check, prepared for a session that is lent a GPU machine (about 15 minutes of
# device time in all, start-up included).  Its image has torch, numpy, matplotlib, networkx,
# scikit-learn, tqdm, pytest and hypothesis but no Jupyter, so the notebooks run through
# run_notebooks.py, not nbval.
#
#   run(command="bash benchmarks/run_on_gpu.sh", timeout_s=500)
#
# In order of importance, each step under its own time limit and all of them under one deadline
# (BUDGET seconds), so that one slow step cannot take the others' results with it:
#   1. bench_train.py: the CUDA rows of issue 3 (DARTS V2: fp32, bf16, fp16 + scaler, compile),
#      saved after every row;
#   2. every notebook in quick mode: the CUDA code paths of the course run without error;
#   3. the library's unit tests with the GPU as the default device (no notebooks, no nbgrader);
#   4. notebooks 01 and 04, then 02, in full mode: how long a class waits on this GPU.
# Results land in $OUT (at most 8 files come back); commit the JSON into benchmarks/results/.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" MPLBACKEND=Agg
OUT="${OUT:-/tmp/nasedu-gpu}"
BUDGET="${BUDGET:-480}"
mkdir -p "$OUT"
LOG="$OUT/gpu.log"

left() { echo $((BUDGET - SECONDS)); }
step() {  # step NAME LIMIT COMMAND...: run COMMAND for at most min(LIMIT, time left) seconds
    local name=$1 limit=$2
    shift 2
    local t
    t=$(left)
    ((t < limit)) && limit=$t
    if ((limit < 20)); then
        echo "== $name: skipped, ${t} s left" | tee -a "$LOG"
        return
    fi
    echo "== $name (limit ${limit} s, at ${SECONDS} s)" | tee -a "$LOG"
    timeout "$limit" "$@" >>"$LOG" 2>&1
    echo "== $name: exit $? after $((SECONDS)) s" | tee -a "$LOG"
}

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | tee -a "$LOG"
python -c "import torch, nasedu; from nasedu.train import describe_device as d; print(torch.__version__, nasedu.__version__, d())" 2>&1 | tee -a "$LOG"
cd benchmarks
step bench_train 170 python bench_train.py --steps 30 --proxy 10 --no-layouts
cp results/bench_train-nvidia*.json "$OUT/" 2>/dev/null
grep -v "it/s" "$LOG" | grep -A30 "^== bench_train" | tail -32
step "notebooks quick" 110 env NASEDU_QUICK=1 python run_notebooks.py --results "$OUT/quick"
cd ..
step "unit tests on the GPU" 100 env OMP_NUM_THREADS=2 python -m pytest -q -n 8 --tb=short -rf \
    -o addopts="-p no:cacheprovider" --timeout 90 tests \
    --ignore tests/test_notebooks.py --ignore tests/test_exercises.py \
    --ignore tests/test_run_notebooks.py
cd benchmarks
# full mode: the short notebooks first, so that a slow notebook 02 cannot cost their numbers
step "notebooks 01, 04 full" 60 python run_notebooks.py 01 04 --results "$OUT/full0104"
step "notebook 02 full" 200 python run_notebooks.py 02 --results "$OUT/full02"
grep "^== \|FAILED\|passed\|failed\|minutes\|_ok\| ok\| error" "$LOG" | tail -40
find "$OUT" -type f
