#!/usr/bin/python3
"""Full-size check of the family-2 architectures with random weights (not run in CI: minutes, GBs in /tmp).

For each named configuration (default: all 11) this builds the reference PyTorch module at its real size
(224x224, 1000 classes), randomizes it like the fixtures, and writes OUT/<name>/{config.json, model.safetensors,
expected.safetensors}. With --run-java it then runs the opt-in JUnit check Family2FullSizeCheck over OUT
(logits and every block output, relative error <= 1e-4, plus a timing line per model).

  /usr/bin/python3 scripts/reference/check_family2_fullsize.py --run-java
  /usr/bin/python3 scripts/reference/check_family2_fullsize.py ffvit:linear_tiny alternet:dnn_50 --run-java
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import family2_models as fm  # noqa: E402
import gen_family2_fixtures as gen  # noqa: E402
import safetensors_io  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FACTORIES = {
    "ffvit:linear_tiny": fm.linear_tiny, "ffvit:linear_base": fm.linear_base, "ffvit:linear_large": fm.linear_large,
    "refiner:Refiner_ViT_S": fm.Refiner_ViT_S, "refiner:Refiner_ViT_M": fm.Refiner_ViT_M,
    "refiner:Refiner_ViT_L": fm.Refiner_ViT_L,
    "alternet:dnn_18": fm.dnn_18, "alternet:dnn_34": fm.dnn_34, "alternet:dnn_50": fm.dnn_50,
    "alternet:dnn_101": fm.dnn_101, "alternet:dnn_152": fm.dnn_152,
}


def write(name, out):
    torch.manual_seed(7)
    model = FACTORIES[name]()
    gen.randomize(model, torch.Generator().manual_seed(8), qk_gain=2.0 if name.startswith("alternet") else 1.0)
    model.eval()
    x = torch.randn((1, 3, 224, 224), generator=torch.Generator().manual_seed(9))
    # the reference runs in float64: at full depth with random weights the float32 rounding of PyTorch itself
    # reaches ~1e-4 of the logits (dnn_152), so the oracle must be more precise than the code under test
    with torch.no_grad():
        logits32, taps32 = model.forward_taps(x)
        logits, taps = model.double().forward_taps(x.double())
        model.float()
    d = os.path.join(out, name.replace(":", "_"))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"architecture": name, "num_classes": 1000}, f)
    sd = {k: v.numpy() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    safetensors_io.save(os.path.join(d, "model.safetensors"), sd)
    # PyTorch's own float32 logits: their distance to the float64 reference is what float32 can achieve here
    exp = {"input": x.numpy(), "logits": logits.float().numpy(), "logits_torch_f32": logits32.numpy()}
    names = []
    for (tname, kind, t), (_, _, t32) in zip(taps, taps32):
        exp["tap." + tname] = t.float().numpy()
        exp["tap_torch_f32." + tname] = t32.numpy()
        names.append(tname + ":" + kind)
    safetensors_io.save(os.path.join(d, "expected.safetensors"), exp, {"taps": ",".join(names)})
    print("wrote %s (%d params, %d taps)" % (d, sum(p.numel() for p in model.parameters()), len(taps)), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*", default=list(FACTORIES))
    ap.add_argument("--out", default="/tmp/vitesse-family2-fullsize")
    ap.add_argument("--run-java", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the generated checkpoints")
    a = ap.parse_args()
    for n in a.names:
        if n not in FACTORIES:
            sys.exit("unknown name %s (known: %s)" % (n, ", ".join(FACTORIES)))
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(os.cpu_count() or 1)
    for n in a.names:
        write(n, a.out)
    if a.run_java:
        env = dict(os.environ)
        env.setdefault("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64")
        cmd = ["mvn", "-B", "-q", "-o", "-pl", "vit-model", "-am", "test", "-Dtest=Family2FullSizeCheck",
               "-Dsurefire.failIfNoSpecifiedTests=false", "-Dvitesse.family2.fullsize=" + a.out,
               "-Dtest.jvm.extra=-Xmx16g"]
        r = subprocess.run(cmd, cwd=ROOT, env=env)
        if not a.keep:
            shutil.rmtree(a.out, ignore_errors=True)
        sys.exit(r.returncode)


if __name__ == "__main__":
    main()
