#!/usr/bin/python3
"""Trains Vitesse's built-in demo model: a tiny timm-layout ViT on scikit-learn's bundled digits.

Run with Debian's PyTorch (CPU only, one thread, 75-105 s of CPU time):  /usr/bin/python3 scripts/train_digits.py

Data: sklearn.datasets.load_digits (1797 8x8 grayscale images, values 0..16), split with
train_test_split(test_size=0.25, random_state=0, stratify=None) -> 1347 train / 450 test.

Image pipeline (identical in training, in the exported sample PNGs and in Vitesse at inference):
  8x8 values v -> uint8 round(v * 255 / 16) -> PIL 'L' -> convert('RGB') -> PIL resize to 32x32 bilinear
  -> ToTensor -> Normalize(mean=0.5, std=0.5).
The exported pretrained_cfg says exactly that (input 32, bilinear, crop_pct 1.0, mean/std 0.5), so
`vitesse classify` on a 32x32 sample PNG (or on the original 8x8 digit) sees the same tensor.

Outputs
  cli/src/main/resources/dev/vitesse/cli/digits/       config.json, model.safetensors (timm layout),
                                                       pytorch_eval.json (test accuracy + predictions),
                                                       samples/*.png (8 test images, 32x32 RGB) + samples/index.txt
  cli/src/test/resources/digits/                       test_u8.npy [450,8,8] (uint8 values as float32),
                                                       test_labels.npy [450], torch_logits.npy [450,10]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
sys.path.insert(0, os.path.join(ROOT, 'scripts', 'reference'))
from vit_ref import VisionTransformer, write_timm_folder  # noqa: E402

MODEL_DIR = os.path.join(ROOT, 'cli', 'src', 'main', 'resources', 'dev', 'vitesse', 'cli', 'digits')
TEST_DIR = os.path.join(ROOT, 'cli', 'src', 'test', 'resources', 'digits')
SIZE = 32
EPOCHS = 60
PATCH = 8
LR = 3e-3
SEED = 0
BATCH = 64
N_SAMPLES = 8


def to_u8(x8):
    """8x8 digit values 0..16 -> uint8 grey levels."""
    return np.clip(np.round(x8 * 255.0 / 16.0), 0, 255).astype(np.uint8)


def to_rgb32(u8):
    """uint8 8x8 -> PIL RGB 32x32, the model's input image."""
    return Image.fromarray(u8, 'L').convert('RGB').resize((SIZE, SIZE), Image.BILINEAR)


def to_tensor(img):
    a = np.asarray(img, dtype=np.float32) / 255.0            # H, W, 3
    a = (a - 0.5) / 0.5
    return torch.from_numpy(a.transpose(2, 0, 1).copy())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--epochs', type=int, default=EPOCHS)
    ap.add_argument('--patch', type=int, default=PATCH)
    ap.add_argument('--model-dir', default=MODEL_DIR, help='where config.json/model.safetensors/samples go')
    ap.add_argument('--test-dir', default=TEST_DIR, help='where the Java test fixtures go')
    args = ap.parse_args()
    train(args.epochs, args.patch, args.model_dir, args.test_dir)


def train(epochs, patch, model_dir, test_dir):
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(1)   # deterministic and fastest for this tiny model (no OpenMP barriers)
    digits = load_digits()
    x_tr, x_te, y_tr, y_te = train_test_split(digits.images, digits.target, test_size=0.25, random_state=SEED)
    u8_tr, u8_te = to_u8(x_tr), to_u8(x_te)
    t_tr = torch.stack([to_tensor(to_rgb32(u)) for u in u8_tr])
    t_te = torch.stack([to_tensor(to_rgb32(u)) for u in u8_te])
    y_tr_t = torch.from_numpy(y_tr).long()

    model = VisionTransformer(img_size=SIZE, patch_size=patch, in_chans=3, num_classes=10, embed_dim=64,
                              depth=4, num_heads=4, mlp_ratio=2.0)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.05)
    steps = epochs * ((len(t_tr) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=steps, pct_start=0.15)
    gen = torch.Generator().manual_seed(SEED)
    t0 = time.time()
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(t_tr), generator=gen)
        total = 0.0
        for i in range(0, len(perm), BATCH):
            idx = perm[i:i + BATCH]
            xb = t_tr[idx]
            # light augmentation: random shift by up to one source pixel (4 px), zero-padded in the normalised space (-1 = black)
            dx, dy = torch.randint(-4, 5, (2,), generator=gen).tolist()
            xb = torch.roll(xb, shifts=(dy, dx), dims=(2, 3))
            loss = F.cross_entropy(model(xb), y_tr_t[idx], label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        if epoch % 5 == 4 or epoch == epochs - 1:
            model.eval()
            with torch.no_grad():
                acc = (model(t_te).argmax(1).numpy() == y_te).mean()
            print(f'epoch {epoch + 1:3d} loss {total / len(t_tr):.4f} test acc {acc:.4f} ({time.time() - t0:.0f}s)')

    model.eval()
    with torch.no_grad():
        logits = model(t_te).numpy().astype(np.float32)
    pred = logits.argmax(1)
    acc = float((pred == y_te).mean())
    print(f'PyTorch test accuracy: {acc:.4f} ({int((pred == y_te).sum())}/{len(y_te)})')

    write_timm_folder(model_dir, model, architecture='vit_tiny_patch16_224', model_args=model.model_args(),
                      pretrained_cfg=dict(input_size=[3, SIZE, SIZE], interpolation='bilinear', crop_pct=1.0,
                                          mean=[0.5] * 3, std=[0.5] * 3),
                      label_names=[str(i) for i in range(10)])
    with open(os.path.join(model_dir, 'pytorch_eval.json'), 'w') as f:
        json.dump({'dataset': 'sklearn.datasets.load_digits, train_test_split(test_size=0.25, random_state=0)',
                   'test_size': int(len(y_te)), 'correct': int((pred == y_te).sum()), 'accuracy': acc,
                   'torch_version': torch.__version__,
                   'predictions': pred.tolist(), 'labels': y_te.tolist()}, f)
        f.write('\n')

    os.makedirs(os.path.join(model_dir, 'samples'), exist_ok=True)
    for old in os.listdir(os.path.join(model_dir, 'samples')):
        os.remove(os.path.join(model_dir, 'samples', old))
    # one sample per class 0..7 (first test image of that class), named after the true label
    names = []
    for c in range(N_SAMPLES):
        i = int(np.nonzero(y_te == c)[0][0])
        names.append(f'digit_{c}_test{i:03d}.png')
        to_rgb32(u8_te[i]).save(os.path.join(model_dir, 'samples', names[-1]))
    with open(os.path.join(model_dir, 'samples', 'index.txt'), 'w') as f:   # resource listing for the CLI
        f.write('\n'.join(names) + '\n')

    os.makedirs(test_dir, exist_ok=True)
    np.save(os.path.join(test_dir, 'test_u8.npy'), u8_te.astype(np.float32))
    np.save(os.path.join(test_dir, 'test_labels.npy'), y_te.astype(np.float32))
    np.save(os.path.join(test_dir, 'torch_logits.npy'), logits)
    print('wrote', model_dir, 'and', test_dir, f'in {time.time() - t0:.0f}s')


if __name__ == '__main__':
    main()
