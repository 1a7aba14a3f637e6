"""Reference outputs for PosEmbedResample (run: /usr/bin/python3 scripts/reference/gen_resample_fixtures.py).

Writes vit-model/src/test/resources/fixtures/vit/resample.safetensors: 'src' [h0, w0, dim] (channels last, as a
position-embedding grid) and, for each output size s, 'timm_<s>' = F.interpolate(bicubic, antialias=True) and
'hf_<s>' = F.interpolate(bicubic, align_corners=False), both [s, s, dim].
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vit_ref import write_safetensors  # noqa: E402

SIZES = [2, 3, 4, 7, 8, 12, 13]


def main():
    g = torch.Generator().manual_seed(0)
    src = torch.randn(1, 5, 5, 6, generator=g)          # [1, h, w, dim]
    chw = src.permute(0, 3, 1, 2)
    out = {'src': src[0]}
    for s in SIZES:
        out['timm_%d' % s] = F.interpolate(chw, size=(s, s), mode='bicubic', antialias=True)[0].permute(1, 2, 0)
        out['hf_%d' % s] = F.interpolate(chw, size=(s, s), mode='bicubic', align_corners=False)[0].permute(1, 2, 0)
    path = os.path.join('vit-model', 'src', 'test', 'resources', 'fixtures', 'vit', 'resample.safetensors')
    write_safetensors(path, {k: v.contiguous() for k, v in out.items()})
    print('wrote', path)


if __name__ == '__main__':
    main()
