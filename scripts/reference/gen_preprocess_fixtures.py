#!/usr/bin/python3
"""Reference outputs of torchvision's eval transforms on real photos, for PreprocessTest.

Run with Debian's packages: /usr/bin/python3 scripts/reference/gen_preprocess_fixtures.py
(torchvision 0.14 transforms on PIL images -> Pillow's resampling; images from python3-skimage).

Writes vit-model/src/test/resources/preprocess/:
  in_*.{png,jpg,gif,bmp}   the inputs (skimage sample photos; some cropped to keep the fixtures small)
  cases.json               one entry per case: input, pipeline parameters, expected file
  out_*.png                expected result of Resize/CenterCrop + ToTensor, times 255 (exactly integers: PIL's
                           resampling is 8-bit), saved losslessly
  norm_chelsea_64.npy      one fully normalised float32 CHW tensor (ToTensor + Normalize), to check the float math
  norm_chelsea_64_crop113.npy  the same through Refiner_ViT_L's pipeline (crop_pct 1.13: the resized image is
                           smaller than the crop, CenterCrop zero-pads), mean = std = 0.5
"""
import json
import math
import os
import shutil

import numpy as np
import torch
from PIL import Image
from torchvision import transforms as T
from torchvision.transforms import InterpolationMode

SK = '/usr/lib/python3/dist-packages/skimage/data'
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'vit-model', 'src', 'test', 'resources', 'preprocess')
IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
INTERP = {'bicubic': InterpolationMode.BICUBIC, 'bilinear': InterpolationMode.BILINEAR,
          'nearest': InterpolationMode.NEAREST}


def prepare_inputs():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    shutil.copy(os.path.join(SK, 'chelsea.png'), os.path.join(OUT, 'in_chelsea.png'))        # 451x300 RGB
    shutil.copy(os.path.join(SK, 'rocket.jpg'), os.path.join(OUT, 'in_rocket.jpg'))          # 640x427 JPEG
    shutil.copy(os.path.join(SK, 'horse.png'), os.path.join(OUT, 'in_horse_rgba.png'))       # 400x328 RGBA
    shutil.copy(os.path.join(SK, 'green_palette.png'), os.path.join(OUT, 'in_green_palette.png'))  # P mode
    shutil.copy(os.path.join(SK, 'no_time_for_that_tiny.gif'), os.path.join(OUT, 'in_tiny.gif'))  # 14x25 GIF
    # portrait crop of the astronaut (exercises the w <= h branch)
    Image.open(os.path.join(SK, 'astronaut.png')).crop((120, 0, 370, 330)).save(os.path.join(OUT, 'in_astronaut.png'))
    # 8-bit grey
    Image.open(os.path.join(SK, 'camera.png')).crop((150, 40, 390, 230)).save(os.path.join(OUT, 'in_camera_gray.png'))
    # RGBA with partially transparent pixels
    Image.open(os.path.join(SK, 'logo.png')).crop((100, 120, 330, 330)).save(os.path.join(OUT, 'in_logo_rgba.png'))
    # 24-bit BMP
    Image.open(os.path.join(SK, 'coffee.png')).crop((300, 80, 460, 200)).save(os.path.join(OUT, 'in_coffee.bmp'))


def case(name, src, mode, size, interp, resize=None, crop_pct=None, crop=None):
    """mode: timm (size, crop_pct) | torchvision (resize, crop) | squash (size)."""
    img = Image.open(os.path.join(OUT, src)).convert('RGB')
    if mode == 'timm':
        resize = math.floor(size / crop_pct)
        crop = size
        tf = [T.Resize(resize, interpolation=INTERP[interp]), T.CenterCrop(size)]
    elif mode == 'torchvision':
        tf = [T.Resize(resize, interpolation=INTERP[interp]), T.CenterCrop(crop)]
    else:
        crop = size
        tf = [T.Resize((size, size), interpolation=INTERP[interp])]
    x = T.Compose(tf + [T.ToTensor()])(img)
    scaled = x.numpy() * 255.0
    u8 = np.round(scaled)
    assert np.abs(scaled - u8).max() < 1e-3, name
    out = 'out_' + name + '.png'
    Image.fromarray(u8.astype(np.uint8).transpose(1, 2, 0), 'RGB').save(os.path.join(OUT, out))
    return {'name': name, 'input': src, 'mode': mode, 'interpolation': interp, 'size': size, 'crop_pct': crop_pct,
            'resize': resize, 'crop': crop, 'expected': out,
            'source_size': list(Image.open(os.path.join(OUT, src)).size)}


def main():
    prepare_inputs()
    cases = [
        case('chelsea_timm09_bicubic', 'in_chelsea.png', 'timm', 224, 'bicubic', crop_pct=0.9),
        case('chelsea_timm0875_bilinear', 'in_chelsea.png', 'timm', 224, 'bilinear', crop_pct=0.875),
        case('astronaut_tv256_bilinear', 'in_astronaut.png', 'torchvision', None, 'bilinear', resize=256, crop=224),
        case('astronaut_hf_squash', 'in_astronaut.png', 'squash', 224, 'bilinear'),
        case('astronaut_tv232_bicubic_small', 'in_astronaut.png', 'torchvision', None, 'bicubic', resize=140, crop=128),
        case('rocket_jpeg_timm09_bicubic', 'in_rocket.jpg', 'timm', 160, 'bicubic', crop_pct=0.9),
        case('camera_gray_timm09_bicubic', 'in_camera_gray.png', 'timm', 160, 'bicubic', crop_pct=0.9),
        case('logo_rgba_tv_bicubic', 'in_logo_rgba.png', 'torchvision', None, 'bicubic', resize=146, crop=128),
        case('horse_rgba_timm0875_bilinear', 'in_horse_rgba.png', 'timm', 128, 'bilinear', crop_pct=0.875),
        case('palette_squash_bicubic', 'in_green_palette.png', 'squash', 96, 'bicubic'),
        case('gif_upscale_timm09_bicubic', 'in_tiny.gif', 'timm', 64, 'bicubic', crop_pct=0.9),
        case('bmp_tv_bilinear', 'in_coffee.bmp', 'torchvision', None, 'bilinear', resize=110, crop=96),
        case('chelsea_nearest_timm09', 'in_chelsea.png', 'timm', 96, 'nearest', crop_pct=0.9),
        case('gif_nearest_upscale', 'in_tiny.gif', 'torchvision', None, 'nearest', resize=61, crop=48),
        # crop larger than the resized image: torchvision pads with zeros
        case('coffee_pad_crop', 'in_coffee.bmp', 'torchvision', None, 'bilinear', resize=80, crop=112),
        # timm with crop_pct > 1 (Refiner_ViT_L: 1.13): resize to floor(size / 1.13) < size, then CenterCrop pads
        # the shorter side with zeros and crops the longer one; 112 -> 99 gives an odd padding (6 left, 7 right)
        case('chelsea_timm113_bicubic', 'in_chelsea.png', 'timm', 128, 'bicubic', crop_pct=1.13),
        case('astronaut_timm113_bilinear', 'in_astronaut.png', 'timm', 112, 'bilinear', crop_pct=1.13),
    ]
    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump(cases, f, indent=1)
    # fully normalised tensor, timm-style 64 / 0.9 with ImageNet mean/std
    img = Image.open(os.path.join(OUT, 'in_chelsea.png')).convert('RGB')
    x = T.Compose([T.Resize(math.floor(64 / 0.9), interpolation=InterpolationMode.BICUBIC), T.CenterCrop(64),
                   T.ToTensor(), T.Normalize(IMAGENET_MEAN, IMAGENET_STD)])(img)
    np.save(os.path.join(OUT, 'norm_chelsea_64.npy'), x.numpy().astype(np.float32))
    x = T.Compose([T.Resize(math.floor(64 / 1.13), interpolation=InterpolationMode.BICUBIC), T.CenterCrop(64),
                   T.ToTensor(), T.Normalize([0.5] * 3, [0.5] * 3)])(img)
    np.save(os.path.join(OUT, 'norm_chelsea_64_crop113.npy'), x.numpy().astype(np.float32))
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f'{len(cases)} cases, {total / 1e6:.2f} MB in {os.path.abspath(OUT)}')


if __name__ == '__main__':
    main()
