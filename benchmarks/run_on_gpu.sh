#!/usr/bin/env bash
# The device check, prepared for a session that is lent a GPU machine (about 15 minutes of
# device time in all, start-up included).  Its image has torch, numpy, matplotlib, networkx,
# scikit-learn and tqdm but no jupyter, so the notebooks run through run_notebooks.py, not nbval.
#
#   run(command="bash benchmarks/run_on_gpu.sh", timeout_s=570)
#
# In order of importance, each with its own time limit so that one slow step cannot take the
# others' results with it:
#   1. bench_train.py: the CUDA rows of issue 3 (DARTS V2: fp32, bf16, fp16 + scaler, compile);
#   2. every notebook in quick mode: the CUDA code paths of the course run without error;
#   3. notebooks 01 and 04, then 02, in full mode: how long a class waits on this GPU.
# Results land in $OUT (fetched back); commit the JSON files into benchmarks/results/.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" MPLBACKEND=Agg
OUT="${OUT:-/tmp/nasedu-gpu}"
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
python -c "import torch, nasedu; from nasedu.train import describe_device as d; print(torch.__version__, nasedu.__version__, d())"
cd benchmarks
timeout 200 python bench_train.py --steps 30 --proxy 10 --no-layouts > "$OUT/bench_train.log" 2>&1
echo "bench_train: exit $?"; grep -v "it/s" "$OUT/bench_train.log" | tail -25
NASEDU_QUICK=1 timeout 120 python run_notebooks.py > "$OUT/notebooks-quick.log" 2>&1
echo "notebooks quick: exit $?"; tail -8 "$OUT/notebooks-quick.log"
cp results/run_notebooks-quick-nvidia*.json "$OUT/" 2>/dev/null
# full mode: the short notebooks first, so that a slow notebook 02 cannot cost their numbers
timeout 60 python run_notebooks.py 01 04 > "$OUT/notebooks-full-01-04.log" 2>&1
echo "notebooks 01, 04 full: exit $?"; tail -5 "$OUT/notebooks-full-01-04.log"
cp results/run_notebooks-nvidia*.json "$OUT/full-01-04.json" 2>/dev/null
timeout 150 python run_notebooks.py 02 > "$OUT/notebooks-full-02.log" 2>&1
echo "notebook 02 full: exit $?"; tail -5 "$OUT/notebooks-full-02.log"
cp results/run_notebooks-nvidia*.json "$OUT/full-02.json" 2>/dev/null
cp results/bench_train-nvidia*.json "$OUT/" 2>/dev/null
ls "$OUT"
