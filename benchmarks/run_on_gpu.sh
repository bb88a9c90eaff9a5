#!/usr/bin/env bash
# The device check, prepared for a session that is lent a GPU machine (about 15 minutes of
# device time in all, start-up included).  Its image has torch, numpy, matplotlib, networkx,
# scikit-learn, tqdm, pytest and hypothesis but no Jupyter, so the notebooks run through
# run_notebooks.py, not nbval.
#
#   run(command="bash benchmarks/run_on_gpu.sh", timeout_s=420, kind="nvidia-h200")
#
# (The H200 made the numbers in benchmarks/README.md; on another GPU compare ratios only.)
# In order of importance, each step under its own time limit and all of them under one deadline
# (BUDGET seconds), so that one slow step cannot take the others' results with it; a step that
# is cut off keeps what it saved (every script saves after each row, network or cell):
#   1. the library's unit tests with the GPU as the default device (no notebooks, no nbgrader);
#   2. bench_gpu_precision.py: fit's float32 default against bf16/fp16 and the layouts, DARTS V2
#      first (C=16 and the paper's C=36, 20 cells), medians of 3 runs;
#   3. bench_fit_overhead.py: the fixed cost of fit per new architecture (why notebook 1 ran
#      slower on an H200 than on a 2-core CPU);
#   4. bench_train.py --darts-only: fp32 + channels_last and torch.compile with CUDA graphs
#      (reduce-overhead), the likely cure for launch-bound networks;
#   5. every notebook in quick mode, now in float32;
#   6. notebooks 01 and 04 in full mode, with whatever time is left.
# Six files come back from $OUT (at most 8 may): the log and five JSON files.  Commit the JSON
# into benchmarks/results/ and update benchmarks/README.md's GPU section.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" MPLBACKEND=Agg
OUT="${OUT:-/tmp/nasedu-gpu}"
BUDGET="${BUDGET:-400}"
mkdir -p "$OUT"
export NASEDU_RESULTS="$OUT"  # every benchmark writes its JSON straight into $OUT
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
step "unit tests on the GPU" 60 env OMP_NUM_THREADS=2 python -m pytest -q -n 8 --tb=short -rf \
    -o addopts="-p no:cacheprovider" --timeout 50 tests \
    --ignore tests/test_notebooks.py --ignore tests/test_exercises.py \
    --ignore tests/test_run_notebooks.py
cd benchmarks
step "precision" 100 python bench_gpu_precision.py --repeats 3
step "fit overhead" 60 python bench_fit_overhead.py --archs 3
step "DARTS: fp32 and CUDA graphs" 90 python bench_train.py --darts-only --steps 30
step "notebooks quick" 80 env NASEDU_QUICK=1 python run_notebooks.py
step "notebooks 01, 04 full" 120 python run_notebooks.py 01 04
grep "^== \|FAILED\|passed\|failed\|minutes\| ok\| error\|overhead\|setting" "$LOG" | tail -60
find "$OUT" -type f
