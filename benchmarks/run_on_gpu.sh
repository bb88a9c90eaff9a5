#!/usr/bin/env bash
# The device check, prepared for a session that is lent a GPU machine (about 15 minutes of
# device time in all, start-up included).  Its image has torch, numpy, matplotlib, networkx,
# scikit-learn and tqdm but no jupyter, so the notebooks run through run_notebooks.py, not nbval.
#
#   run(command="bash benchmarks/run_on_gpu.sh", timeout_s=560)
#
# In order of importance, each with its own time limit so that one slow step cannot take the
# others' results with it:
#   1. bench_train.py: the CUDA rows of issue 3 (DARTS V2: fp32, bf16, fp16 + scaler, compile);
#   2. every notebook in quick mode: the CUDA code paths of the course run without error;
#   3. notebooks 01, 02 and 04 in full mode: how long a class waits on this GPU.
# Results land in $OUT (fetched back); commit the JSON files into benchmarks/results/.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" MPLBACKEND=Agg
OUT="${OUT:-/tmp/nasedu-gpu}"
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
python -c "import torch, nasedu; from nasedu.train import describe_device as d; print(torch.__version__, nasedu.__version__, d())"
cd benchmarks
timeout 200 python bench_train.py --steps 30 --proxy 10 > "$OUT/bench_train.log" 2>&1
echo "bench_train: exit $?"; grep -v "it/s" "$OUT/bench_train.log" | tail -25
NASEDU_QUICK=1 timeout 120 python run_notebooks.py > "$OUT/notebooks-quick.log" 2>&1
echo "notebooks quick: exit $?"; tail -8 "$OUT/notebooks-quick.log"
timeout 180 python run_notebooks.py 01 02 04 > "$OUT/notebooks-full.log" 2>&1
echo "notebooks full: exit $?"; tail -8 "$OUT/notebooks-full.log"
cp results/bench_train-*.json results/run_notebooks-*.json "$OUT/" 2>/dev/null
ls "$OUT"
