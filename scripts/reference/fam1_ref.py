"""Plain-PyTorch reference models for Swin (timm layout), PVT v2 (timm + original names), PVT v1 (original
layout) and MLP-Mixer (timm layout). torchvision's Swin is used directly from Debian's torchvision 0.14.

Run with Debian's interpreter: /usr/bin/python3 (torch 1.13). No timm needed: every module below is
re-written from the reference sources so that ``state_dict()`` keys and the forward computation match
them exactly:

* ``SwinTimm``  -- timm >= 0.9 ``swin_transformer.py`` (``layers.{i}.downsample`` at the START of stages
  1..3, ``head.fc``; roll -> pad -> partition; per-axis window clamp ``window = res if res <= window`` with
  shift 0 at construction resolution; mask -100 on the padded grid).
* ``PvtV2``     -- timm ``pvt_v2.py`` (``patch_embed``, ``stages.{i}.downsample``, ``stages.{i}.blocks.{j}``,
  ``stages.{i}.norm``, ``mlp.dwconv``); ``pvt_v2_to_original`` renames to whai362/PVT's
  ``patch_embed{i}``, ``block{i}.{j}``, ``norm{i}``, ``mlp.dwconv.dwconv``.
* ``PvtV1``     -- whai362/PVT ``classification/pvt.py`` (``patch_embed{i}``, ``pos_embed{i}``,
  ``block{i}.{j}``, ``cls_token`` in stage 4, ``norm``, ``head``).
* ``MlpMixer``  -- timm ``mlp_mixer.py`` (``stem.proj``, ``blocks.{i}.{norm1,mlp_tokens,norm2,mlp_channels}``,
  ``norm``, ``head``).

Every model's ``forward_with_intermediates(x)`` returns ``(logits, {name: tensor [B, N, C]})`` with the
output of every block (channels-last tokens) and of every stage, used as fixtures for the Java tests.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Mlp(nn.Module):
    def __init__(self, dim, hidden, out=None):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, out or dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


# ------------------------------------------------------------------------------------------------
# Swin (timm layout)
# ------------------------------------------------------------------------------------------------

def window_partition(x, ws):
    B, H, W, C = x.shape
    x = x.view(B, H // ws[0], ws[0], W // ws[1], ws[1], C)
    return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, ws[0], ws[1], C)


def window_reverse(windows, ws, H, W):
    C = windows.shape[-1]
    x = windows.view(-1, H // ws[0], W // ws[1], ws[0], ws[1], C)
    return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, H, W, C)


def get_relative_position_index(win_h, win_w):
    coords = torch.stack(torch.meshgrid([torch.arange(win_h), torch.arange(win_w)], indexing='ij'))
    coords_flatten = torch.flatten(coords, 1)
    rel = coords_flatten[:, :, None] - coords_flatten[:, None, :]
    rel = rel.permute(1, 2, 0).contiguous()
    rel[:, :, 0] += win_h - 1
    rel[:, :, 1] += win_w - 1
    rel[:, :, 0] *= 2 * win_w - 1
    return rel.sum(-1)


class WindowAttention(nn.Module):
    def __init__(self, dim, num_heads, window_size, qkv_bias=True):
        super().__init__()
        self.window_size = window_size
        self.window_area = window_size[0] * window_size[1]
        self.num_heads = num_heads
        head_dim = dim // num_heads
        self.scale = head_dim ** -0.5
        self.relative_position_bias_table = nn.Parameter(
            torch.zeros((2 * window_size[0] - 1) * (2 * window_size[1] - 1), num_heads))
        self.register_buffer('relative_position_index', get_relative_position_index(*window_size), persistent=False)
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, mask=None):
        B_, N, C = x.shape
        qkv = self.qkv(x).reshape(B_, N, 3, self.num_heads, -1).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q * self.scale) @ k.transpose(-2, -1)
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)].view(
            self.window_area, self.window_area, -1).permute(2, 0, 1)
        attn = attn + bias.unsqueeze(0)
        if mask is not None:
            nw = mask.shape[0]
            attn = attn.view(-1, nw, self.num_heads, N, N) + mask.unsqueeze(1).unsqueeze(0)
            attn = attn.view(-1, self.num_heads, N, N)
        attn = attn.softmax(-1)
        x = (attn @ v).transpose(1, 2).reshape(B_, N, -1)
        return self.proj(x)


def shift_mask(Hp, Wp, ws, ss):
    """-100/0 mask [nW, N, N] on the padded grid (timm get_attn_mask == torchvision's)."""
    img_mask = torch.zeros((1, Hp, Wp, 1))
    cnt = 0
    for h in ((0, -ws[0]), (-ws[0], -ss[0]), (-ss[0], None)):
        for w in ((0, -ws[1]), (-ws[1], -ss[1]), (-ss[1], None)):
            img_mask[:, h[0]:h[1], w[0]:w[1], :] = cnt
            cnt += 1
    mw = window_partition(img_mask, ws).view(-1, ws[0] * ws[1])
    m = mw.unsqueeze(1) - mw.unsqueeze(2)
    return m.masked_fill(m != 0, float(-100.0)).masked_fill(m == 0, float(0.0))


class SwinBlock(nn.Module):
    def __init__(self, dim, input_resolution, num_heads, window_size, shift_size, mlp_ratio=4.0):
        super().__init__()
        self.input_resolution = input_resolution
        ws = [r if r <= w else w for r, w in zip(input_resolution, (window_size, window_size))]
        ss = [0 if r <= w else s for r, w, s in zip(input_resolution, ws, (shift_size, shift_size))]
        self.window_size, self.shift_size = tuple(ws), tuple(ss)
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, num_heads, self.window_size)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        if any(self.shift_size):
            H, W = input_resolution
            Hp = math.ceil(H / ws[0]) * ws[0]
            Wp = math.ceil(W / ws[1]) * ws[1]
            self.register_buffer('attn_mask', shift_mask(Hp, Wp, self.window_size, self.shift_size), persistent=False)
        else:
            self.attn_mask = None

    def _attn(self, x):
        B, H, W, C = x.shape
        ws, ss = self.window_size, self.shift_size
        if any(ss):
            x = torch.roll(x, shifts=(-ss[0], -ss[1]), dims=(1, 2))
        pad_h = (ws[0] - H % ws[0]) % ws[0]
        pad_w = (ws[1] - W % ws[1]) % ws[1]
        x = F.pad(x, (0, 0, 0, pad_w, 0, pad_h))
        _, Hp, Wp, _ = x.shape
        xw = window_partition(x, ws).view(-1, ws[0] * ws[1], C)
        aw = self.attn(xw, mask=self.attn_mask).view(-1, ws[0], ws[1], C)
        x = window_reverse(aw, ws, Hp, Wp)[:, :H, :W, :].contiguous()
        if any(ss):
            x = torch.roll(x, shifts=ss, dims=(1, 2))
        return x

    def forward(self, x):
        B, H, W, C = x.shape
        x = x + self._attn(self.norm1(x))
        x = x.reshape(B, -1, C)
        x = x + self.mlp(self.norm2(x))
        return x.reshape(B, H, W, C)


class PatchMerging(nn.Module):
    def __init__(self, dim, out_dim=None):
        super().__init__()
        self.norm = nn.LayerNorm(4 * dim)
        self.reduction = nn.Linear(4 * dim, out_dim or 2 * dim, bias=False)

    def forward(self, x):
        B, H, W, C = x.shape
        x = F.pad(x, (0, 0, 0, W % 2, 0, H % 2))
        _, H, W, _ = x.shape
        x = x.reshape(B, H // 2, 2, W // 2, 2, C).permute(0, 1, 3, 4, 2, 5).flatten(3)
        return self.reduction(self.norm(x))


class SwinStage(nn.Module):
    def __init__(self, dim, out_dim, input_resolution, depth, downsample, num_heads, window_size, mlp_ratio):
        super().__init__()
        self.output_resolution = tuple(i // 2 for i in input_resolution) if downsample else input_resolution
        self.downsample = PatchMerging(dim, out_dim) if downsample else nn.Identity()
        self.blocks = nn.Sequential(*[
            SwinBlock(out_dim, self.output_resolution, num_heads, window_size,
                      0 if i % 2 == 0 else window_size // 2, mlp_ratio) for i in range(depth)])


class SwinPatchEmbed(nn.Module):
    def __init__(self, patch_size, in_chans, embed_dim):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, embed_dim, patch_size, patch_size)
        self.norm = nn.LayerNorm(embed_dim)

    def forward(self, x):
        return self.norm(self.proj(x).permute(0, 2, 3, 1))


class ClassifierHead(nn.Module):
    def __init__(self, dim, num_classes):
        super().__init__()
        self.fc = nn.Linear(dim, num_classes)


class SwinTimm(nn.Module):
    def __init__(self, img_size=224, patch_size=4, in_chans=3, num_classes=1000, embed_dim=96,
                 depths=(2, 2, 6, 2), num_heads=(3, 6, 12, 24), window_size=7, mlp_ratio=4.0):
        super().__init__()
        self.num_classes = num_classes
        self.args = dict(img_size=img_size, patch_size=patch_size, embed_dim=embed_dim, depths=list(depths),
                         num_heads=list(num_heads), window_size=window_size, mlp_ratio=mlp_ratio)
        n = len(depths)
        dims = [embed_dim * 2 ** i for i in range(n)]
        self.patch_embed = SwinPatchEmbed(patch_size, in_chans, embed_dim)
        grid = (img_size // patch_size, img_size // patch_size)
        layers, in_dim, scale = [], dims[0], 1
        for i in range(n):
            layers.append(SwinStage(in_dim, dims[i], (grid[0] // scale, grid[1] // scale), depths[i], i > 0,
                                    num_heads[i], window_size, mlp_ratio))
            in_dim = dims[i]
            if i > 0:
                scale *= 2
        self.layers = nn.Sequential(*layers)
        self.norm = nn.LayerNorm(dims[-1])
        self.head = ClassifierHead(dims[-1], num_classes)

    def forward_with_intermediates(self, x):
        inter = {}
        x = self.patch_embed(x)
        inter['patch_embed'] = x
        for i, stage in enumerate(self.layers):
            x = stage.downsample(x)
            for j, blk in enumerate(stage.blocks):
                x = blk(x)
                inter[f'layers.{i}.blocks.{j}'] = x
        x = self.norm(x)
        inter['norm'] = x
        logits = self.head.fc(x.mean(dim=(1, 2)))
        return logits, {k: v.reshape(v.shape[0], -1, v.shape[-1]) for k, v in inter.items()}


def torchvision_swin_intermediates(model, x):
    """Runs a torchvision SwinTransformer collecting every block output ([B, N, C])."""
    inter = {}
    feats = model.features
    x = feats[0](x)
    inter['features.0'] = x
    for s in range(1, len(feats)):
        mod = feats[s]
        if isinstance(mod, nn.Sequential):
            for j, blk in enumerate(mod):
                x = blk(x)
                inter[f'features.{s}.{j}'] = x
        else:
            x = mod(x)
            inter[f'features.{s}'] = x
    x = model.norm(x)
    inter['norm'] = x
    logits = model.head(model.flatten(model.avgpool(model.permute(x))))
    return logits, {k: v.reshape(v.shape[0], -1, v.shape[-1]) for k, v in inter.items()}


# ------------------------------------------------------------------------------------------------
# PVT v2 (timm layout)
# ------------------------------------------------------------------------------------------------

class MlpWithDepthwiseConv(nn.Module):
    def __init__(self, dim, hidden, extra_relu=False):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.relu = nn.ReLU() if extra_relu else nn.Identity()
        self.dwconv = nn.Conv2d(hidden, hidden, 3, 1, 1, bias=True, groups=hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x, feat_size):
        x = self.fc1(x)
        B, N, C = x.shape
        x = x.transpose(1, 2).view(B, C, feat_size[0], feat_size[1])
        x = self.relu(x)
        x = self.dwconv(x)
        x = x.flatten(2).transpose(1, 2)
        return self.fc2(self.act(x))


class SRAttention(nn.Module):
    """Spatial-reduction attention (PVT v1 and v2; ``linear`` = PVT v2-li)."""

    def __init__(self, dim, num_heads, sr_ratio=1, linear=False, qkv_bias=True):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.q = nn.Linear(dim, dim, bias=qkv_bias)
        self.kv = nn.Linear(dim, dim * 2, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)
        self.linear = linear
        if linear:
            self.pool = nn.AdaptiveAvgPool2d(7)
            self.sr = nn.Conv2d(dim, dim, kernel_size=1, stride=1)
            self.norm = nn.LayerNorm(dim)
            self.act = nn.GELU()
        elif sr_ratio > 1:
            self.sr = nn.Conv2d(dim, dim, kernel_size=sr_ratio, stride=sr_ratio)
            self.norm = nn.LayerNorm(dim)
        else:
            self.sr = None

    def forward(self, x, feat_size):
        B, N, C = x.shape
        H, W = feat_size
        q = self.q(x).reshape(B, N, self.num_heads, -1).permute(0, 2, 1, 3)
        if self.linear:
            x_ = x.permute(0, 2, 1).reshape(B, C, H, W)
            x_ = self.sr(self.pool(x_)).reshape(B, C, -1).permute(0, 2, 1)
            x_ = self.act(self.norm(x_))
        elif self.sr is not None:
            x_ = x.permute(0, 2, 1).reshape(B, C, H, W)
            x_ = self.norm(self.sr(x_).reshape(B, C, -1).permute(0, 2, 1))
        else:
            x_ = x
        kv = self.kv(x_).reshape(B, -1, 2, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        k, v = kv.unbind(0)
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(-1)
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj(x)


class PvtV2Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio, sr_ratio, linear, eps=1e-6):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = SRAttention(dim, num_heads, sr_ratio, linear)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = MlpWithDepthwiseConv(dim, int(dim * mlp_ratio), extra_relu=linear)

    def forward(self, x, feat_size):
        x = x + self.attn(self.norm1(x), feat_size)
        return x + self.mlp(self.norm2(x), feat_size)


class OverlapPatchEmbed(nn.Module):
    def __init__(self, patch_size, stride, in_chans, embed_dim):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, embed_dim, patch_size, stride, padding=patch_size // 2)
        self.norm = nn.LayerNorm(embed_dim)   # default eps 1e-5 (not the model's norm_layer)

    def forward(self, x):
        x = self.proj(x)
        fs = x.shape[-2:]
        return self.norm(x.flatten(2).transpose(1, 2)), fs


class PvtV2Stage(nn.Module):
    def __init__(self, dim, dim_out, depth, downsample, num_heads, sr_ratio, linear, mlp_ratio):
        super().__init__()
        self.downsample = OverlapPatchEmbed(3, 2, dim, dim_out) if downsample else None
        self.blocks = nn.ModuleList([PvtV2Block(dim_out, num_heads, mlp_ratio, sr_ratio, linear) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim_out, eps=1e-6)


class PvtV2(nn.Module):
    def __init__(self, in_chans=3, num_classes=1000, depths=(3, 4, 6, 3), embed_dims=(64, 128, 256, 512),
                 num_heads=(1, 2, 4, 8), sr_ratios=(8, 4, 2, 1), mlp_ratios=(8., 8., 4., 4.), linear=False):
        super().__init__()
        self.num_classes = num_classes
        self.args = dict(depths=list(depths), embed_dims=list(embed_dims), num_heads=list(num_heads),
                         sr_ratios=list(sr_ratios), mlp_ratios=list(mlp_ratios), linear=linear)
        self.patch_embed = OverlapPatchEmbed(7, 4, in_chans, embed_dims[0])
        self.stages = nn.ModuleList()
        prev = embed_dims[0]
        for i in range(len(depths)):
            self.stages.append(PvtV2Stage(prev, embed_dims[i], depths[i], i > 0, num_heads[i], sr_ratios[i],
                                          linear, mlp_ratios[i]))
            prev = embed_dims[i]
        self.head = nn.Linear(embed_dims[-1], num_classes)

    def forward_with_intermediates(self, x):
        inter = {}
        x, fs = self.patch_embed(x)
        inter['patch_embed'] = x
        for i, st in enumerate(self.stages):
            if st.downsample is not None:
                B, N, C = x.shape
                x = x.transpose(1, 2).reshape(B, C, fs[0], fs[1])
                x, fs = st.downsample(x)
                inter[f'stages.{i}.downsample'] = x
            for j, blk in enumerate(st.blocks):
                x = blk(x, fs)
                inter[f'stages.{i}.blocks.{j}'] = x
            x = st.norm(x)
            inter[f'stages.{i}.norm'] = x
        return self.head(x.mean(dim=1)), inter


def pvt_v2_to_original(sd):
    """timm PVT v2 names -> whai362/PVT names (inverse of timm's _checkpoint_filter_fn)."""
    import re
    out = {}
    for k, v in sd.items():
        k2 = k
        k2 = re.sub(r'^patch_embed\.', 'patch_embed1.', k2)
        k2 = re.sub(r'^stages\.(\d+)\.downsample\.', lambda m: f'patch_embed{int(m.group(1)) + 1}.', k2)
        k2 = re.sub(r'^stages\.(\d+)\.blocks\.(\d+)\.', lambda m: f'block{int(m.group(1)) + 1}.{m.group(2)}.', k2)
        k2 = re.sub(r'^stages\.(\d+)\.norm\.', lambda m: f'norm{int(m.group(1)) + 1}.', k2)
        k2 = k2.replace('mlp.dwconv.', 'mlp.dwconv.dwconv.')
        out[k2] = v
    return out


# ------------------------------------------------------------------------------------------------
# PVT v1 (original layout)
# ------------------------------------------------------------------------------------------------

class PvtV1Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio, sr_ratio, eps=1e-6):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = SRAttention(dim, num_heads, sr_ratio, False)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x, feat_size):
        x = x + self.attn(self.norm1(x), feat_size)
        return x + self.mlp(self.norm2(x))


class PvtV1PatchEmbed(nn.Module):
    def __init__(self, img_size, patch_size, in_chans, embed_dim):
        super().__init__()
        self.patch_size = patch_size
        self.H, self.W = img_size // patch_size, img_size // patch_size
        self.num_patches = self.H * self.W
        self.proj = nn.Conv2d(in_chans, embed_dim, patch_size, patch_size)
        self.norm = nn.LayerNorm(embed_dim)   # eps 1e-5

    def forward(self, x):
        B, C, H, W = x.shape
        x = self.norm(self.proj(x).flatten(2).transpose(1, 2))
        return x, (H // self.patch_size, W // self.patch_size)


class PvtV1(nn.Module):
    def __init__(self, img_size=224, patch_size=4, in_chans=3, num_classes=1000, embed_dims=(64, 128, 320, 512),
                 num_heads=(1, 2, 5, 8), mlp_ratios=(8, 8, 4, 4), depths=(2, 2, 2, 2), sr_ratios=(8, 4, 2, 1)):
        super().__init__()
        self.num_classes = num_classes
        self.num_stages = 4
        self.args = dict(img_size=img_size, patch_size=patch_size, embed_dims=list(embed_dims),
                         num_heads=list(num_heads), mlp_ratios=list(mlp_ratios), depths=list(depths),
                         sr_ratios=list(sr_ratios))
        for i in range(4):
            pe = PvtV1PatchEmbed(img_size if i == 0 else img_size // (2 ** (i + 1)), patch_size if i == 0 else 2,
                                 in_chans if i == 0 else embed_dims[i - 1], embed_dims[i])
            npatch = pe.num_patches if i != 3 else pe.num_patches + 1
            setattr(self, f'patch_embed{i + 1}', pe)
            setattr(self, f'pos_embed{i + 1}', nn.Parameter(torch.zeros(1, npatch, embed_dims[i])))
            setattr(self, f'block{i + 1}', nn.ModuleList([
                PvtV1Block(embed_dims[i], num_heads[i], mlp_ratios[i], sr_ratios[i]) for _ in range(depths[i])]))
        self.norm = nn.LayerNorm(embed_dims[3], eps=1e-6)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dims[3]))
        self.head = nn.Linear(embed_dims[3], num_classes)

    def _get_pos_embed(self, pos_embed, pe, H, W):
        if H * W == self.patch_embed1.num_patches:
            return pos_embed
        return F.interpolate(pos_embed.reshape(1, pe.H, pe.W, -1).permute(0, 3, 1, 2), size=(H, W),
                             mode='bilinear').reshape(1, -1, H * W).permute(0, 2, 1)

    def forward_with_intermediates(self, x):
        inter = {}
        B = x.shape[0]
        for i in range(4):
            pe = getattr(self, f'patch_embed{i + 1}')
            pos = getattr(self, f'pos_embed{i + 1}')
            x, (H, W) = pe(x)
            if i == 3:
                x = torch.cat((self.cls_token.expand(B, -1, -1), x), dim=1)
                pos = torch.cat((pos[:, 0:1], self._get_pos_embed(pos[:, 1:], pe, H, W)), dim=1)
            else:
                pos = self._get_pos_embed(pos, pe, H, W)
            x = x + pos
            inter[f'patch_embed{i + 1}'] = x
            for j, blk in enumerate(getattr(self, f'block{i + 1}')):
                x = blk(x, (H, W))
                inter[f'block{i + 1}.{j}'] = x
            if i != 3:
                x = x.reshape(B, H, W, -1).permute(0, 3, 1, 2).contiguous()
        x = self.norm(x)
        inter['norm'] = x
        return self.head(x[:, 0]), inter


# ------------------------------------------------------------------------------------------------
# MLP-Mixer (timm layout)
# ------------------------------------------------------------------------------------------------

class MixerBlock(nn.Module):
    def __init__(self, dim, seq_len, mlp_ratio=(0.5, 4.0)):
        super().__init__()
        tokens_dim, channels_dim = [int(r * dim) for r in mlp_ratio]
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp_tokens = Mlp(seq_len, tokens_dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp_channels = Mlp(dim, channels_dim)

    def forward(self, x):
        x = x + self.mlp_tokens(self.norm1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.mlp_channels(self.norm2(x))


class MixerStem(nn.Module):
    def __init__(self, patch_size, in_chans, dim):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, dim, patch_size, patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class MlpMixer(nn.Module):
    def __init__(self, num_classes=1000, img_size=224, in_chans=3, patch_size=16, num_blocks=8, embed_dim=512,
                 mlp_ratio=(0.5, 4.0)):
        super().__init__()
        self.num_classes = num_classes
        self.args = dict(img_size=img_size, patch_size=patch_size, num_blocks=num_blocks, embed_dim=embed_dim,
                         mlp_ratio=list(mlp_ratio))
        self.stem = MixerStem(patch_size, in_chans, embed_dim)
        seq = (img_size // patch_size) ** 2
        self.blocks = nn.Sequential(*[MixerBlock(embed_dim, seq, mlp_ratio) for _ in range(num_blocks)])
        self.norm = nn.LayerNorm(embed_dim, eps=1e-6)
        self.head = nn.Linear(embed_dim, num_classes)

    def forward_with_intermediates(self, x):
        inter = {}
        x = self.stem(x)
        inter['stem'] = x
        for i, b in enumerate(self.blocks):
            x = b(x)
            inter[f'blocks.{i}'] = x
        x = self.norm(x)
        inter['norm'] = x
        return self.head(x.mean(dim=1)), inter


# ------------------------------------------------------------------------------------------------
# Random weights that exercise every path
# ------------------------------------------------------------------------------------------------

@torch.no_grad()
def randomize(model, seed):
    """Replaces the default init with weights that make every tensor visible in the output: LayerNorm
    gains around 1 with visible spread, non-zero biases, relative-position tables and position
    embeddings of unit scale (their default init is ~0.02, which would hide a transposed table)."""
    g = torch.Generator().manual_seed(seed)
    for name, p in model.named_parameters():
        if 'relative_position_bias_table' in name or 'pos_embed' in name or 'cls_token' in name:
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)
        elif p.dim() == 1 and ('norm' in name) and name.endswith('weight'):
            p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
        elif p.dim() == 1:
            p.copy_(0.1 * torch.randn(p.shape, generator=g))
        else:
            fan_in = p[0].numel()
            p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(fan_in))
    for m in model.modules():
        if isinstance(m, nn.LayerNorm):
            m.weight.copy_(1 + 0.2 * torch.randn(m.weight.shape, generator=g))
    return model
