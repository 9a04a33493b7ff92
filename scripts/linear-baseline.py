#!/usr/bin/env python3
"""RevIN + one linear map (T -> H, shared across variates), fitted in closed form (ridge) on the
training windows; MSE/MAE on validation and test windows in standardised space, under the same
protocol as `mambamixer train` (MODEL.md §6.2). A reference point for TSM2, not part of the engine.

usage: scripts/linear-baseline.py CSV[.gz] H [--seq-len 512] [--ridge 1.0 ...]
"""
import argparse, csv, gzip, os
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument('csv'); ap.add_argument('horizon', type=int)
ap.add_argument('--seq-len', type=int, default=512)
ap.add_argument('--ridge', type=float, nargs='+', default=[1.0])
args = ap.parse_args()
T, H = args.seq_len, args.horizon
with (gzip.open(args.csv, 'rt') if args.csv.endswith('.gz') else open(args.csv)) as f:
    a = np.array([[float(v) for v in r[1:]] for r in list(csv.reader(f))[1:]])
name = os.path.basename(args.csv)
if name.startswith('ETTh'): n_tr, n_va, n_te = 8640, 2880, 2880
elif name.startswith('ETTm'): n_tr, n_va, n_te = 34560, 11520, 11520
else: n_tr = int(len(a) * 0.7); n_te = int(len(a) * 0.2); n_va = len(a) - n_tr - n_te
z = (a - a[:n_tr].mean(0)) / a[:n_tr].std(0)
M = z.shape[1]

def batches(lo, hi, size=512):
    """(X, Y) per block of window starts: X (windows·M, T), Y (windows·M, H); look-back from lo - T."""
    starts = np.arange(max(lo - T, 0), hi - T - H + 1)
    for i in range(0, len(starts), size):
        idx = starts[i:i + size]
        X = np.stack([z[j:j + T] for j in idx]).transpose(0, 2, 1).reshape(-1, T)
        Y = np.stack([z[j + T:j + T + H] for j in idx]).transpose(0, 2, 1).reshape(-1, H)
        yield X, Y

def revin(X):
    m = X.mean(1, keepdims=True); s = np.sqrt(X.var(1, keepdims=True) + 1e-5)
    return np.hstack([(X - m) / s, np.ones((len(X), 1))]), m, s

# Least squares in the data's scale (as a model with RevIN trained on MSE sees it): rows weighted by s.
AtA = np.zeros((T + 1, T + 1)); AtY = np.zeros((T + 1, H))
for X, Y in batches(0, n_tr):
    A, m, s = revin(X)
    As = A * s; AtA += As.T @ As; AtY += As.T @ (Y - m)
for lam in args.ridge:
    W = np.linalg.solve(AtA + lam * np.eye(T + 1), AtY)
    out = []
    for split, lo, hi in (('val', n_tr, n_tr + n_va), ('test', n_tr + n_va, n_tr + n_va + n_te)):
        se = ae = cnt = 0
        for X, Y in batches(lo, hi):
            A, m, s = revin(X); P = (A @ W) * s + m
            se += ((P - Y) ** 2).sum(); ae += np.abs(P - Y).sum(); cnt += P.size
        out.append(f"{split} MSE {se / cnt:.4f} MAE {ae / cnt:.4f}")
    print(f"{name} T{T} H{H} ridge {lam:g}: " + ", ".join(out), flush=True)
