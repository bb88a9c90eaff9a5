#!/usr/bin/env bash
# The device check, prepared for a session that is lent a GPU machine (about 15 minutes of
# device time in all).  Its image has torch, numpy, matplotlib, networkx, scikit-learn and tqdm
# but no jupyter, so this runs the library, the training benchmark and the tour -- not nbval.
#
#   run(command="bash benchmarks/run_on_gpu.sh", timeout_s=500)
#
# Results land in $OUT (fetched back) and in benchmarks/results/ on the device machine.
set -euo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
OUT="${OUT:-/tmp/nasedu-gpu}"
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
python -c "import torch, nasedu; print(torch.__version__, torch.cuda.is_available(), nasedu.__version__)"
(cd benchmarks && timeout 240 python bench_train.py --steps 30 --proxy 10) 2>&1 | tee "$OUT/bench_train.log"
cp benchmarks/results/bench_train-*.json "$OUT/" || true
timeout 180 python -m nasedu tour --no-progress --epochs 3 --out "$OUT/tour" 2>&1 | tee "$OUT/tour.log"
