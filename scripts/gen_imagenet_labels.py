#!/usr/bin/python3
"""Writes the bundled ImageNet-1k class names, one per line in class-index order, from Debian's torchvision
(torchvision.models._meta._IMAGENET_CATEGORIES).  Run: /usr/bin/python3 scripts/gen_imagenet_labels.py"""
import os

from torchvision.models._meta import _IMAGENET_CATEGORIES as NAMES

assert len(NAMES) == 1000
for n in NAMES:
    assert '\n' not in n and n.strip() == n, n
out = os.path.join(os.path.dirname(__file__), '..', 'vit-model', 'src', 'main', 'resources', 'dev', 'vitesse', 'model',
                   'imagenet_labels.txt')
with open(out, 'w', encoding='utf-8') as f:
    f.write('\n'.join(NAMES) + '\n')
print('wrote', len(NAMES), 'labels to', os.path.abspath(out))
