#!/usr/bin/python3
"""Independent float64 golden reference for TSM2 (issue 10).

Written from the model description (shared/docs/mambamixer-spec.md §3 S6 scan, §4 Mamba unit and
bidirectional unit, §5 mixers and weighted averaging, §6.3 I1/I2, §6.4 Norm2D) and NOT from the
engine's Java code; from the engine only the parameter names/shapes and the §9 defaults
(Tsm2Config fields) were taken.

Gradients come from a tiny reverse-mode autodiff (class V below) over the plain forward: no
hand-written backward of any layer, so the engine's hand-written backward passes are checked
against the chain rule applied mechanically. The script cross-checks the autodiff against central
finite differences of the same forward (steps 1e-5 and 5e-6, Richardson-extrapolated) on a sample
of parameter entries, prints the agreement and refuses to write a dump that disagrees.

Output: engine/src/test/resources/golden/<name>.safetensors (all F64) holding, under the engine's
parameter names, the weights; "input/x" (B,T,M), "input/y" (B,H,M), "expected/forecast" (B,H,M),
"expected/loss" (scalar, MSE mean over B·H·M) and "grad/<param>" for every parameter. The
configuration is in __metadata__.

Run: /usr/bin/python3 scripts/golden_tsm2.py   (needs only NumPy, e.g. apt-get install python3-numpy;
deterministic, fixed seeds; about 3 s)
"""
import json
import os
import struct
import sys

import numpy as np


# ----------------------------------------------------------------------------- tiny autodiff

class V:
    """A node of the reverse-mode graph: value v, gradient g, parents and a backward closure."""
    __slots__ = ("v", "g", "parents", "bw")

    def __init__(self, v, parents=(), bw=None):
        self.v = np.asarray(v, dtype=np.float64)
        self.g = None
        self.parents = parents
        self.bw = bw

    @property
    def shape(self):
        return self.v.shape

    def __add__(self, o): return add(self, o)
    def __radd__(self, o): return add(o, self)
    def __sub__(self, o): return add(self, neg(o))
    def __rsub__(self, o): return add(o, neg(self))
    def __mul__(self, o): return mul(self, o)
    def __rmul__(self, o): return mul(o, self)
    def __truediv__(self, o): return mul(self, recip(o))
    def __neg__(self): return neg(self)
    def __getitem__(self, idx): return getitem(self, idx)


def const(a):
    return a if isinstance(a, V) else V(a)


def unbroadcast(g, shape):
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for i, s in enumerate(shape):
        if s == 1 and g.shape[i] != 1:
            g = g.sum(axis=i, keepdims=True)
    return g


def add(a, b):
    a, b = const(a), const(b)
    return V(a.v + b.v, (a, b), lambda g: (unbroadcast(g, a.shape), unbroadcast(g, b.shape)))


def mul(a, b):
    a, b = const(a), const(b)
    return V(a.v * b.v, (a, b), lambda g: (unbroadcast(g * b.v, a.shape), unbroadcast(g * a.v, b.shape)))


def neg(a):
    a = const(a)
    return V(-a.v, (a,), lambda g: (-g,))


def recip(a):
    a = const(a)
    r = 1.0 / a.v
    return V(r, (a,), lambda g: (-g * r * r,))


def exp(a):
    e = np.exp(a.v)
    return V(e, (a,), lambda g: (g * e,))


def sqrt(a):
    s = np.sqrt(a.v)
    return V(s, (a,), lambda g: (g * 0.5 / s,))


def sigmoid(a):
    s = 1.0 / (1.0 + np.exp(-a.v))
    return V(s, (a,), lambda g: (g * s * (1.0 - s),))


def softplus20(a):
    # spec §2: ln(1+e^x) for x <= 20, else x
    big = a.v > 20
    v = np.where(big, a.v, np.log1p(np.exp(np.minimum(a.v, 20.0))))
    s = 1.0 / (1.0 + np.exp(-a.v))
    return V(v, (a,), lambda g: (np.where(big, g, g * s),))


def silu(a):
    return a * sigmoid(a)


def vsum(a, axis=None, keepdims=False):
    def bw(g):
        if axis is None:
            return (np.broadcast_to(g, a.shape).copy(),)
        gg = g if keepdims else np.expand_dims(g, axis)
        return (np.broadcast_to(gg, a.shape).copy(),)
    return V(a.v.sum(axis=axis, keepdims=keepdims), (a,), bw)


def mean(a, axis, keepdims=False):
    n = np.prod([a.shape[i] for i in (axis if isinstance(axis, tuple) else (axis,))])
    return vsum(a, axis, keepdims) * (1.0 / n)


def reshape(a, shape):
    return V(a.v.reshape(shape), (a,), lambda g: (g.reshape(a.shape),))


def transpose(a, axes):
    inv = np.argsort(axes)
    return V(a.v.transpose(axes), (a,), lambda g: (g.transpose(inv),))


def getitem(a, idx):
    def bw(g):
        full = np.zeros(a.shape)
        np.add.at(full, idx, g)
        return (full,)
    return V(a.v[idx], (a,), bw)


def flip(a, axis):
    return V(np.flip(a.v, axis).copy(), (a,), lambda g: (np.flip(g, axis).copy(),))


def stack(xs, axis):
    def bw(g):
        return tuple(np.take(g, i, axis=axis) for i in range(len(xs)))
    return V(np.stack([x.v for x in xs], axis=axis), tuple(xs), bw)


def concat(xs, axis):
    sizes = np.cumsum([x.shape[axis] for x in xs])[:-1]
    return V(np.concatenate([x.v for x in xs], axis=axis), tuple(xs),
             lambda g: tuple(np.split(g, sizes, axis=axis)))


def einsum(spec, a, b):
    """Two-operand einsum; every index of an operand must appear in the other operand or the output."""
    ins, out = spec.split("->")
    sa, sb = ins.split(",")
    return V(np.einsum(spec, a.v, b.v), (a, b),
             lambda g: (np.einsum(f"{out},{sb}->{sa}", g, b.v), np.einsum(f"{out},{sa}->{sb}", g, a.v)))


def backprop(root):
    order, seen = [], set()

    def visit(n):
        stack_ = [(n, False)]
        while stack_:
            node, done = stack_.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack_.append((node, True))
            for p in node.parents:
                if id(p) not in seen:
                    stack_.append((p, False))
    visit(root)
    root.g = np.ones(root.shape)
    for node in reversed(order):
        if node.bw is None or node.g is None:
            continue
        for p, gp in zip(node.parents, node.bw(node.g)):
            p.g = gp if p.g is None else p.g + gp


# ----------------------------------------------------------------------------- model (from the spec)

def norm2d(x, gamma, beta, eps=1e-5):
    """LayerNorm jointly over the last two axes (spec §6.4 Norm2D-LN), population variance."""
    mu = mean(x, (-2, -1), keepdims=True)
    c = x - mu
    var = mean(c * c, (-2, -1), keepdims=True)
    return c / sqrt(var + eps) * gamma + beta


def s6_direction(P, pre, x, z, K, N):
    """Spec §4.2 steps 2-6 for one direction on token-major (S, L, E) x and gate z."""
    S, L, E = x.shape
    w, cb = P[pre + "conv1d.weight"], P[pre + "conv1d.bias"]
    # causal depth-wise conv: c_t = b + sum_k w[:, k] x_{t-K+1+k}, x at negative t = 0
    xp = concat([const(np.zeros((S, K - 1, E))), x], axis=1)
    c = cb
    for k in range(K):
        c = c + xp[:, k:k + L, :] * reshape(w[:, 0, k], (1, 1, E))
    u = silu(c)
    q = einsum("sle,ke->slk", u, P[pre + "x_proj.weight"])     # [r; B; C] = W_x u
    R = q.shape[2] - 2 * N
    r, Bm, Cm = q[:, :, :R], q[:, :, R:R + N], q[:, :, R + N:]
    delta_raw = einsum("slr,er->sle", r, P[pre + "dt_proj.weight"])
    dbias = P[pre + "dt_proj.bias"]
    assert np.all(delta_raw.v + dbias.v <= 20)
    delta = softplus20(delta_raw + dbias)
    A = -exp(P[pre + "A_log"])                                   # (E, N)
    # spec §3.2: Ā_t = exp(δ_t A), h_t = Ā_t h_{t-1} + δ_t B_t u_t, y_t = C_t·h_t + D u_t
    dA = exp(reshape(delta, (S, L, E, 1)) * reshape(A, (1, 1, E, N)))
    dBu = reshape(delta * u, (S, L, E, 1)) * reshape(Bm, (S, L, 1, N))
    h = None
    ys = []
    for t in range(L):
        h = dBu[:, t] if h is None else dA[:, t] * h + dBu[:, t]
        ys.append(einsum("sen,sn->se", h, Cm[:, t]))
    y = stack(ys, axis=1) + u * P[pre + "D"]
    return y * silu(z)


def mamba_unit(P, pre, hin, bidir, K, N):
    """Spec §4.2 (unidirectional) / §4.4 (bimamba v2: shared in/out proj, own core per direction)."""
    xz = einsum("slf,gf->slg", hin, P[pre + "in_proj.weight"])
    E = xz.shape[2] // 2
    x, z = xz[:, :, :E], xz[:, :, E:]
    o = s6_direction(P, pre, x, z, K, N)
    if bidir:
        Pb = {pre + k: P[pre + v] for k, v in [
            ("conv1d.weight", "conv1d_b.weight"), ("conv1d.bias", "conv1d_b.bias"),
            ("x_proj.weight", "x_proj_b.weight"), ("dt_proj.weight", "dt_proj_b.weight"),
            ("dt_proj.bias", "dt_proj_b.bias"), ("A_log", "A_b_log"), ("D", "D_b")]}
        ob = s6_direction(Pb, pre, flip(x, 1), flip(z, 1), K, N)
        o = o + flip(ob, 1)
    return einsum("sle,fe->slf", o, P[pre + "out_proj.weight"])


def averaged_input(P, name, srcs, softmax):
    """Spec §5.3 engine abstraction: input(m_i) = sum_j w_ij out(m_j), sources [x, x, out(m_1), ...]."""
    w = P[name]
    if softmax:
        e = exp(w - float(np.max(w.v)))
        w = e / vsum(e)
    acc = None
    for j, s in enumerate(srcs):
        term = s * w[j]
        acc = term if acc is None else acc + term
    return acc


def tsm2_forward(P, cfg, x):
    B, T, M = x.shape
    Hh, K, N = cfg["horizon"], cfg["dConv"], cfg["dState"]
    i1 = cfg["design"] == "I1"
    eps = 1e-5
    # RevIN (spec §6.3 step 1): per (b, m) mean / population std over T, constants
    mu = x.mean(axis=1, keepdims=True)
    sd = np.sqrt(((x - mu) ** 2).mean(axis=1, keepdims=True) + eps)
    g, bta = P["revin.affine_weight"], P["revin.affine_bias"]
    xn = const((x - mu) / sd) * g + bta                                      # (B, T, M)
    if i1:
        Pl, St = cfg["patchLen"], cfg["patchStride"]
        Np = (T - Pl) // St + 1
        idx = np.arange(Np)[:, None] * St + np.arange(Pl)[None, :]           # (Np, P)
        patches = transpose(xn, (0, 2, 1))[:, :, idx]                       # (B, M, Np, P)
        tok = einsum("bmpj,dj->bmpd", patches, P["patch_embed.proj.weight"])
        stack_in = tok + P["patch_embed.proj.bias"] + P["patch_embed.pos_embed"]   # (B, M, Np, D)
    else:
        stack_in = xn                                                        # (B, T, M)
    srcs = [stack_in, stack_in]
    for l in range(cfg["layers"]):
        for kind in ("time", "variate"):
            pre = f"blocks.{l}.{kind}."
            xin = averaged_input(P, pre + "avg_weight", srcs, cfg["averaging"] == "softmax")
            bidir = kind == "variate" or cfg["timeMixerBidirectional"]
            if i1:
                Dm = xin.shape[3]
                if kind == "time":   # scan along patches, one sequence per (b, m); Norm2D over (Np, D)
                    a = norm2d(xin, P[pre + "norm.weight"], P[pre + "norm.bias"])
                    out = mamba_unit(P, pre + "mamba.", reshape(a, (B * M, Np, Dm)), bidir, K, N)
                    y = xin + reshape(out, (B, M, Np, Dm))
                else:                # scan along variates, one sequence per (b, patch); Norm2D over (M, D)
                    xt = transpose(xin, (0, 2, 1, 3))                        # (B, Np, M, D)
                    a = norm2d(xt, P[pre + "norm.weight"], P[pre + "norm.bias"])
                    out = mamba_unit(P, pre + "mamba.", reshape(a, (B * Np, M, Dm)), bidir, K, N)
                    y = xin + transpose(reshape(out, (B, Np, M, Dm)), (0, 2, 1, 3))
            else:
                if kind == "time":   # Mamba(F = M) along T; Norm2D over (T, M)
                    a = norm2d(xin, P[pre + "norm.weight"], P[pre + "norm.bias"])
                    y = xin + mamba_unit(P, pre + "mamba.", a, bidir, K, N)
                else:                # transpose, BiMamba(F = T) along M; Norm2D over (M, T)
                    xt = transpose(xin, (0, 2, 1))                           # (B, M, T)
                    a = norm2d(xt, P[pre + "norm.weight"], P[pre + "norm.bias"])
                    y = xin + transpose(mamba_unit(P, pre + "mamba.", a, bidir, K, N), (0, 2, 1))
            srcs.append(y)
    yL = srcs[-1]
    yn = norm2d(yL, P["final_norm.weight"], P["final_norm.bias"])
    if i1:
        flat = reshape(yn, (B, M, Np * yn.shape[3]))                         # flatten (Np, D) per variate
    else:
        flat = transpose(yn, (0, 2, 1))                                      # (B, M, T)
    hd = einsum("bmk,hk->bmh", flat, P["head.proj.weight"]) + P["head.proj.bias"]
    pn = transpose(hd, (0, 2, 1))                                            # (B, H, M)
    # RevIN denormalisation: (y - beta) / (gamma + eps^2) * std + mean (RevIN reference code; spec
    # §6.3 writes /gamma, the eps^2 guard is the RevIN paper code's and the engine's)
    return (pn - bta) / (g + eps * eps) * const(sd) + const(mu)


# ----------------------------------------------------------------------------- parameters and dump

def param_shapes(cfg):
    """Names and shapes of the engine's parameters (the only thing taken from the engine's code)."""
    T, H, M = cfg["seqLen"], cfg["horizon"], cfg["variates"]
    N, K, ex = cfg["dState"], cfg["dConv"], cfg["expand"]
    i1 = cfg["design"] == "I1"
    shapes = {"revin.affine_weight": (M,), "revin.affine_bias": (M,)}
    if i1:
        Np = (T - cfg["patchLen"]) // cfg["patchStride"] + 1
        D = cfg["dModel"]
        shapes["patch_embed.proj.weight"] = (D, cfg["patchLen"])
        shapes["patch_embed.proj.bias"] = (D,)
        shapes["patch_embed.pos_embed"] = (Np, D)
    for l in range(cfg["layers"]):
        for j, kind in enumerate(("time", "variate")):
            pre = f"blocks.{l}.{kind}."
            target = 2 * l + j + 1
            shapes[pre + "avg_weight"] = (target + 1,)
            if i1:
                F = cfg["dModel"]
                nshape = (Np, F) if kind == "time" else (M, F)
            else:
                F = M if kind == "time" else T
                nshape = (T, M) if kind == "time" else (M, T)
            E, R = ex * F, -(-F // 16)
            shapes[pre + "norm.weight"] = nshape
            shapes[pre + "norm.bias"] = nshape
            mp = pre + "mamba."
            shapes[mp + "in_proj.weight"] = (2 * E, F)
            bidir = kind == "variate" or cfg["timeMixerBidirectional"]
            for suf, aname in [("", "A_log")] + ([("_b", "A_b_log")] if bidir else []):
                shapes[mp + "conv1d" + suf + ".weight"] = (E, 1, K)
                shapes[mp + "conv1d" + suf + ".bias"] = (E,)
                shapes[mp + "x_proj" + suf + ".weight"] = (R + 2 * N, E)
                shapes[mp + "dt_proj" + suf + ".weight"] = (E, R)
                shapes[mp + "dt_proj" + suf + ".bias"] = (E,)
                shapes[mp + aname] = (E, N)
                shapes[mp + "D" + suf] = (E,)
            shapes[mp + "out_proj.weight"] = (F, E)
    if i1:
        shapes["final_norm.weight"] = (Np, cfg["dModel"])
        shapes["final_norm.bias"] = (Np, cfg["dModel"])
        shapes["head.proj.weight"] = (H, Np * cfg["dModel"])
    else:
        shapes["final_norm.weight"] = (T, M)
        shapes["final_norm.bias"] = (T, M)
        shapes["head.proj.weight"] = (H, T)
    shapes["head.proj.bias"] = (H,)
    return shapes


def random_params(cfg, rng):
    """Random, non-trivial values (not the engine's init): every parameter matters."""
    P = {}
    for name, shp in param_shapes(cfg).items():
        leaf = name.rsplit(".", 1)[-1]
        if leaf in ("A_log", "A_b_log"):
            v = np.log(rng.uniform(0.3, 3.0, shp))                    # A in [-3, -0.3]
        elif leaf in ("D", "D_b"):
            v = rng.uniform(0.3, 1.5, shp)
        elif name.endswith("dt_proj.bias") or name.endswith("dt_proj_b.bias"):
            dt = rng.uniform(0.05, 0.8, shp)
            v = dt + np.log(-np.expm1(-dt))                           # inverse softplus
        elif name.endswith("dt_proj.weight") or name.endswith("dt_proj_b.weight"):
            v = rng.uniform(-0.8, 0.8, shp)
        elif leaf == "avg_weight":
            v = rng.uniform(-0.6, 1.2, shp) if cfg["averaging"] != "softmax" else rng.uniform(-1, 1, shp)
        elif name in ("revin.affine_weight",) or name.endswith("norm.weight"):
            v = 1.0 + rng.uniform(-0.3, 0.3, shp)
        elif name in ("revin.affine_bias",) or name.endswith("norm.bias"):
            v = rng.uniform(-0.3, 0.3, shp)
        elif name == "patch_embed.pos_embed":
            v = rng.uniform(-0.3, 0.3, shp)
        elif name.endswith("x_proj.weight") or name.endswith("x_proj_b.weight"):
            v = rng.uniform(-2.5, 2.5, shp) / np.sqrt(shp[1])       # B, C of order 1: the state matters
        elif name.endswith("conv1d.weight") or name.endswith("conv1d_b.weight"):
            v = rng.uniform(-1, 1, shp) / np.sqrt(shp[2])
        else:                                                         # Linear weights / biases, conv bias
            fan_in = shp[-1] if len(shp) == 2 else max(1, int(np.sqrt(shp[0])))
            v = rng.uniform(-1, 1, shp) / np.sqrt(fan_in)
        P[name] = np.asarray(v, dtype=np.float64)
    return P


def loss_and_grads(Pnp, cfg, x, y):
    P = {k: V(v.copy()) for k, v in Pnp.items()}
    pred = tsm2_forward(P, cfg, x)
    d = pred - const(y)
    loss = mean(d * d, (0, 1, 2))
    backprop(loss)
    return pred.v, float(loss.v), {k: (v.g if v.g is not None else np.zeros(v.shape)) for k, v in P.items()}


def loss_only(Pnp, cfg, x, y):
    P = {k: V(v) for k, v in Pnp.items()}
    pred = tsm2_forward(P, cfg, x)
    return float(np.mean((pred.v - y) ** 2))


def fd_check(Pnp, cfg, x, y, grads, rng, samples, h=1e-5):
    """Central differences (steps h and h/2, Richardson-extrapolated) on the largest-|grad| entry of
    every tensor plus `samples` random entries; returns (count, max abs error, max relative error
    with a floor of 1e-3 of the largest gradient, largest gradient)."""
    picks = []
    for k, g in grads.items():
        picks.append((k, np.unravel_index(int(np.argmax(np.abs(g))), g.shape)))
    keys = list(Pnp)
    for _ in range(samples):
        k = keys[rng.integers(len(keys))]
        picks.append((k, tuple(int(rng.integers(s)) for s in Pnp[k].shape)))
    scale = max(float(np.max(np.abs(g))) for g in grads.values())
    worst_rel, worst_abs = 0.0, 0.0
    for k, ix in picks:
        old = Pnp[k][ix]
        cd = []
        for step in (h, h / 2):
            Pnp[k][ix] = old + step
            lp = loss_only(Pnp, cfg, x, y)
            Pnp[k][ix] = old - step
            lm = loss_only(Pnp, cfg, x, y)
            Pnp[k][ix] = old
            cd.append((lp - lm) / (2 * step))
        fd = (4 * cd[1] - cd[0]) / 3      # Richardson: cancels the h^2 term of central differences
        ad = grads[k][ix]
        err = abs(fd - ad)
        worst_abs = max(worst_abs, err)
        worst_rel = max(worst_rel, err / max(abs(ad), 1e-3 * scale))
    return len(picks), worst_abs, worst_rel, scale


def write_safetensors(path, tensors, metadata):
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, arr in tensors.items():
        a = np.ascontiguousarray(arr, dtype="<f8")
        b = a.tobytes()
        header[name] = {"dtype": "F64", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((8 - len(hj) % 8) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)


CONFIGS = {
    # engine defaults (Tsm2Config.defaults) for every §9 flag: I1, identity averaging, unidirectional
    # time mixer, LN Norm2D, RevIN on, no end padding; dropout 0; tiny sizes
    "tsm2-i1-identity": dict(seqLen=16, horizon=4, variates=3, design="I1", patchLen=4, patchStride=2,
                             padEnd=False, dModel=8, layers=2, dState=4, dConv=4, expand=2, revin=True,
                             dropout=0.0, timeMixerBidirectional=False, averaging="identity",
                             batch=2, seed=1001),
    # alternative flags: I2 raw time, softmax averaging, bidirectional time mixer (spec §9 A1, A2, A6)
    "tsm2-i2-softmax": dict(seqLen=8, horizon=4, variates=3, design="I2", patchLen=4, patchStride=2,
                            padEnd=False, dModel=8, layers=2, dState=4, dConv=2, expand=2, revin=True,
                            dropout=0.0, timeMixerBidirectional=True, averaging="softmax",
                            batch=2, seed=2002),
}


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outdir = os.path.join(root, "engine", "src", "test", "resources", "golden")
    for name, cfg in CONFIGS.items():
        rng = np.random.default_rng(cfg["seed"])
        Pnp = random_params(cfg, rng)
        B, T, M, H = cfg["batch"], cfg["seqLen"], cfg["variates"], cfg["horizon"]
        # inputs with per-variate offsets and scales so RevIN is non-trivial
        x = rng.normal(size=(B, T, M)) * rng.uniform(0.5, 2.0, (1, 1, M)) + rng.uniform(-2, 2, (1, 1, M))
        y = rng.normal(size=(B, H, M)) * rng.uniform(0.5, 2.0, (1, 1, M)) + rng.uniform(-2, 2, (1, 1, M))
        pred, loss, grads = loss_and_grads(Pnp, cfg, x, y)
        n, fabs, frel, scale = fd_check(Pnp, cfg, x, y, grads, np.random.default_rng(7), 200)
        nparam = sum(v.size for v in Pnp.values())
        print(f"{name}: {len(Pnp)} tensors, {nparam} scalars, loss {loss:.12g}; autodiff vs central FD "
              f"(h=1e-5 and 5e-6, Richardson) on {n} entries: max abs {fabs:.2e}, max rel {frel:.2e} (max |grad| {scale:.3g})")
        if frel > 1e-6:
            sys.exit(f"{name}: autodiff disagrees with finite differences")
        tensors = {}
        for k, v in Pnp.items():
            tensors[k] = v
        tensors["input/x"] = x
        tensors["input/y"] = y
        tensors["expected/forecast"] = pred
        tensors["expected/loss"] = np.array(loss)
        for k, g in grads.items():
            tensors["grad/" + k] = g
        meta = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in cfg.items()}
        meta["generator"] = "scripts/golden_tsm2.py (NumPy float64, reverse-mode autodiff)"
        meta["fd_check_max_rel"] = f"{frel:.3e}"
        path = os.path.join(outdir, name + ".safetensors")
        write_safetensors(path, tensors, meta)
        print(f"  wrote {os.path.relpath(path, root)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
