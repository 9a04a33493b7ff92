#!/usr/bin/env bash
# The main job on the shipped sample data: set up, build, train TSM2 and print test MSE/MAE.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec bin/mambamixer train --data sample-data/synthetic.csv --seq-len 96 --horizon 24 \
     --d-model 32 --layers 2 --epochs 3 --batch 32 --lr 1e-3 "$@"
