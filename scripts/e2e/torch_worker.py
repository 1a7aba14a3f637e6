#!/usr/bin/python3
"""PyTorch side of the end-to-end benchmark: a long-lived worker driven by the Java harness
(dev.vitesse.bench.e2e.EndToEndBench) so that PyTorch runs in its own process but in the same
alternating rounds as Vitesse and ONNX Runtime.

Protocol: one JSON object per line on stdin, one JSON reply per line on stdout.
  {"cmd": "load", "name": N, "dir": D}            builds model N, loads D/torch_state.pt
  {"cmd": "run", "threads": T, "input": X.npy, "warmup": W, "iterations": I, "output": Y.npy}
      -> {"ok": true, "ms": [per timed forward]}   (the last output is written to Y.npy)
  {"cmd": "quit"}
Errors reply {"ok": false, "error": "..."} and the worker keeps running.
"""
import ctypes
import json
import os
import sys
import time
import traceback

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models as M  # noqa: E402


def _openblas():
    """The OpenBLAS that this torch build calls for its linear layers (Debian's torch has no MKL).

    It runs its own pthreads and ignores torch.set_num_threads: without this, "1 thread" PyTorch
    really uses every core (measured: cpu/wall = 2.0 on this 2-vCPU VM)."""
    with open('/proc/self/maps') as f:
        for line in f:
            path = line.split()[-1]
            if 'openblas' in os.path.basename(path) and path.startswith('/'):
                lib = ctypes.CDLL(path)
                if hasattr(lib, 'openblas_set_num_threads'):
                    return lib
    return None


def set_threads(n):
    """Same core budget for every library torch uses: ATen/oneDNN (OpenMP) and OpenBLAS."""
    torch.set_num_threads(n)
    blas = _openblas()
    if blas is not None:
        blas.openblas_set_num_threads(ctypes.c_int(n))
        return int(blas.openblas_get_num_threads())
    return None


def main():
    out = sys.stdout
    sys.stdout = sys.stderr   # keep stray prints (warnings) off the protocol channel
    model = None
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            cmd = req['cmd']
            if cmd == 'quit':
                break
            if cmd == 'load':
                fwd, sd_module, _ = M.build(req['name'])
                sd_module.load_state_dict(torch.load(os.path.join(req['dir'], 'torch_state.pt')))
                model = fwd.eval()
                reply = {'ok': True, 'torch': torch.__version__}
            elif cmd == 'run':
                if model is None:
                    raise ValueError('no model loaded')
                blas_threads = set_threads(int(req['threads']))
                x = torch.from_numpy(np.load(req['input']))
                ms = []
                with torch.inference_mode():
                    for _ in range(int(req.get('warmup', 0))):
                        y = model(x)
                    cpu0, wall0 = time.process_time(), time.perf_counter()
                    for _ in range(int(req['iterations'])):
                        t0 = time.perf_counter()
                        y = model(x)
                        ms.append((time.perf_counter() - t0) * 1e3)
                    cores = (time.process_time() - cpu0) / max(1e-9, time.perf_counter() - wall0)
                np.save(req['output'], y.float().numpy())
                reply = {'ok': True, 'ms': ms, 'threads': torch.get_num_threads(),
                         'blas_threads': blas_threads, 'cores_used': cores}
            else:
                raise ValueError(f'unknown command {cmd!r}')
        except Exception as e:  # reported to the harness, which marks the cell as failed
            traceback.print_exc()
            reply = {'ok': False, 'error': f'{type(e).__name__}: {e}'}
        out.write(json.dumps(reply) + '\n')
        out.flush()


if __name__ == '__main__':
    main()
