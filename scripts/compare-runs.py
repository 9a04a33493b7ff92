#!/usr/bin/env python3
"""Compares two TSM2 run folders for bit-identical training (the check behind "same seed, same
config: the same loss curve and weights"): checkpoint tensors (best and last, weights and AdamW
moments, metadata ignored), events.jsonl without wall times (sorted: snapshot events are written
by another thread), forecast.csv, metrics.csv without the wall-time column.
Usage: /usr/bin/python3 scripts/compare-runs.py RUN_A RUN_B   (exit 0 = identical)."""
import json, struct, sys, os
def tensors(p):
    b = open(p, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8+n]); h.pop('__metadata__', None)
    return {k: b[8+n+v['data_offsets'][0]:8+n+v['data_offsets'][1]] for k, v in h.items()}
def events(p):
    out = []
    for line in open(p):
        e = json.loads(line); e.pop('wallSeconds', None); e.pop('wall_s', None); out.append(json.dumps(e, sort_keys=True))
    return sorted(out)
a, b = sys.argv[1], sys.argv[2]; ok = True
for f in ['checkpoints/best/model.safetensors', 'checkpoints/best/optimizer.safetensors', 'checkpoints/last/model.safetensors', 'checkpoints/last/optimizer.safetensors']:
    ta, tb = tensors(os.path.join(a, f)), tensors(os.path.join(b, f)); same = ta == tb; ok &= same; print(f, 'identical' if same else 'DIFFER', len(ta))
ea, eb = events(os.path.join(a, 'events.jsonl')), events(os.path.join(b, 'events.jsonl'))
print('events (without wall times):', 'identical' if ea == eb else 'DIFFER', len(ea)); ok &= ea == eb
fa, fb = open(os.path.join(a, 'forecast.csv')).read(), open(os.path.join(b, 'forecast.csv')).read()
print('forecast.csv', 'identical' if fa == fb else 'DIFFER'); ok &= fa == fb
ma = [l.rsplit(',', 1)[0] for l in open(os.path.join(a, 'metrics.csv'))]; mb = [l.rsplit(',', 1)[0] for l in open(os.path.join(b, 'metrics.csv'))]
print('metrics.csv (without wall time)', 'identical' if ma == mb else 'DIFFER'); ok &= ma == mb
sys.exit(0 if ok else 1)
