#!/usr/bin/python3
"""Full-size check of the Swin / PVT v1 / PVT v2 / MLP-Mixer configurations with random weights (not in CI).

For each architecture: builds the PyTorch reference at its real size (scripts/reference/fam1_ref.py, or
torchvision's own Swin), randomises the weights, writes a checkpoint folder with the real name in
config.json (no model_args), runs one image in float64, and asks the Java side
(dev.vitesse.model.fam1.CheckFullSize, from the shaded CLI jar) to load the folder and compare the logits
(relative error <= 1e-4). Folders are deleted afterwards unless --keep.

    mvn -q -o -pl cli -am package -DskipTests
    /usr/bin/python3 scripts/check_full_size.py                 # everything (large: minutes, GBs in /tmp)
    /usr/bin/python3 scripts/check_full_size.py swin_tiny_patch4_window7_224 pvt_v2_b0
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, 'reference'))
import fam1_ref as R  # noqa: E402
from vit_ref import write_safetensors  # noqa: E402

PVT2 = dict(embed_dims=(64, 128, 320, 512), num_heads=(1, 2, 5, 8))


def build(name):
    """(model, image size, forward fn or None)."""
    from torchvision.models import swin_t, swin_s, swin_b
    swin = {
        'swin_tiny_patch4_window7_224': dict(embed_dim=96, depths=(2, 2, 6, 2), num_heads=(3, 6, 12, 24)),
        'swin_small_patch4_window7_224': dict(embed_dim=96, depths=(2, 2, 18, 2), num_heads=(3, 6, 12, 24)),
        'swin_base_patch4_window7_224': dict(embed_dim=128, depths=(2, 2, 18, 2), num_heads=(4, 8, 16, 32)),
        'swin_base_patch4_window12_384': dict(embed_dim=128, depths=(2, 2, 18, 2), num_heads=(4, 8, 16, 32),
                                              window_size=12, img_size=384),
    }
    if name in swin:
        a = dict(swin[name])
        return R.SwinTimm(**a), a.get('img_size', 224), None
    tv = {'torchvision:swin_t': swin_t, 'torchvision:swin_s': swin_s, 'torchvision:swin_b': swin_b}
    if name in tv:
        return tv[name](), 224, R.torchvision_swin_intermediates
    pvt2 = {
        'pvt_v2_b0': dict(depths=(2, 2, 2, 2), embed_dims=(32, 64, 160, 256), num_heads=(1, 2, 5, 8)),
        'pvt_v2_b1': dict(PVT2, depths=(2, 2, 2, 2)),
        'pvt_v2_b2': dict(PVT2, depths=(3, 4, 6, 3)),
        'pvt_v2_b3': dict(PVT2, depths=(3, 4, 18, 3)),
        'pvt_v2_b4': dict(PVT2, depths=(3, 8, 27, 3)),
        'pvt_v2_b5': dict(PVT2, depths=(3, 6, 40, 3), mlp_ratios=(4, 4, 4, 4)),
        'pvt_v2_b2_li': dict(PVT2, depths=(3, 4, 6, 3), linear=True),
    }
    if name in pvt2:
        return R.PvtV2(**pvt2[name]), 224, None
    pvt1 = {'pvt_tiny': (2, 2, 2, 2), 'pvt_small': (3, 4, 6, 3), 'pvt_medium': (3, 4, 18, 3), 'pvt_large': (3, 8, 27, 3)}
    if name in pvt1:
        return R.PvtV1(embed_dims=(64, 128, 320, 512), depths=pvt1[name]), 224, None
    mixer = {'mixer_s16_224': (16, 8, 512), 'mixer_b16_224': (16, 12, 768), 'mixer_l16_224': (16, 24, 1024),
             'mixer_s32_224': (32, 8, 512), 'mixer_b32_224': (32, 12, 768), 'mixer_l32_224': (32, 24, 1024)}
    if name in mixer:
        p, nb, d = mixer[name]
        return R.MlpMixer(patch_size=p, num_blocks=nb, embed_dim=d), 224, None
    raise SystemExit('unknown architecture ' + name)


ALL = ['swin_tiny_patch4_window7_224', 'swin_small_patch4_window7_224', 'swin_base_patch4_window7_224',
       'swin_base_patch4_window12_384', 'torchvision:swin_t', 'torchvision:swin_s', 'torchvision:swin_b',
       'pvt_v2_b0', 'pvt_v2_b1', 'pvt_v2_b2', 'pvt_v2_b3', 'pvt_v2_b4', 'pvt_v2_b5', 'pvt_v2_b2_li',
       'pvt_tiny', 'pvt_small', 'pvt_medium', 'pvt_large', 'mixer_s16_224', 'mixer_b16_224', 'mixer_l16_224']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('names', nargs='*', default=ALL)
    ap.add_argument('--keep', action='store_true')
    ap.add_argument('--jar', default=os.path.join(ROOT, 'cli', 'target', 'vitesse-cli.jar'))
    ap.add_argument('--java', default=os.path.join(os.environ.get('JAVA_HOME', '/usr/lib/jvm/temurin-25-jdk-amd64'), 'bin', 'java'))
    args = ap.parse_args()
    if not os.path.isfile(args.jar):
        raise SystemExit(args.jar + ' missing: run mvn -q -o -pl cli -am package -DskipTests')
    failed = []
    for name in args.names:
        model, size, fwd = build(name)
        R.randomize(model, 1234)
        model = model.double().eval()
        x = torch.randn((1, 3, size, size), generator=torch.Generator().manual_seed(5), dtype=torch.float64)
        with torch.no_grad():
            logits = (fwd(model, x) if fwd else model.forward_with_intermediates(x))[0]
        d = tempfile.mkdtemp(prefix='fam1_' + name.replace(':', '_') + '_')
        try:
            write_safetensors(os.path.join(d, 'model.safetensors'), {k: v.float() for k, v in model.state_dict().items()})
            np.save(os.path.join(d, 'input.npy'), x.float().numpy())
            np.save(os.path.join(d, 'logits.npy'), logits.float().numpy())
            with open(os.path.join(d, 'config.json'), 'w') as f:
                json.dump({'architecture': name, 'num_classes': int(logits.shape[1])}, f)
            r = subprocess.run([args.java, '--add-modules', 'jdk.incubator.vector', '-cp', args.jar,
                                'dev.vitesse.model.fam1.CheckFullSize', d])
            if r.returncode != 0:
                failed.append(name)
        finally:
            if not args.keep:
                shutil.rmtree(d)
    print('FAILED: ' + ' '.join(failed) if failed else 'all OK')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
