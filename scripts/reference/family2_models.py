"""PyTorch reference modules for the Vitesse 'family 2' architectures.

Written from the original repositories' code so that state_dict names are exactly the repositories' names:
  - lukemelas/do-you-even-need-attention  vision_transformer_linear.py  (ffvit: linear_tiny/base/large)
  - zhoudaquan/Refiner_ViT                models/refined_transformer.py + refiner_utils.py (Refiner_ViT_S/M/L)
  - xxxnell/how-do-vits-work              models/alternet.py, attentions.py, preresnet_dnn_block.py (dnn_18..152)
Dependencies on timm/einops are replaced by plain torch (Debian's torch 1.13 has neither).

Deviations, all of them only *extra constructor knobs* with the repositories' values as defaults, so that the
fixture generator can build small configurations with the same code path and the same tensor names:
  ffvit:   img_size (the repo hard-codes 224 in num_tokens = 1 + (224 // p)^2), pos_size.
  Refiner: stem_widths (repo: 32, 64, 128).
  AlterNet: stem_width/widths (repo: 64 / 64,128,256,512), dim_head (repo: 64), window_size (repo: 7),
            num_blocks/num_blocks2 for custom depth.

Each model has forward_taps(x) -> (logits, [(name, kind, tensor)]) returning the sub-block outputs that Vitesse's
FeatureTap reports (same names and order), used as intermediate expected outputs.
"""
import math
from functools import partial

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# ----------------------------------------------------------------------------------------------------------------
# Feed-forward-only ViT ("Do You Even Need Attention?")
# ----------------------------------------------------------------------------------------------------------------

class Mlp(nn.Module):  # timm.models.vision_transformer.Mlp (fc1, act, fc2)
    def __init__(self, in_features, hidden_features=None, out_features=None):
        super().__init__()
        out_features = out_features or in_features
        hidden_features = hidden_features or in_features
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_features, out_features)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class LinearBlock(nn.Module):
    def __init__(self, dim, mlp_ratio=4., norm_layer=nn.LayerNorm, num_tokens=197):
        super().__init__()
        self.mlp1 = Mlp(in_features=dim, hidden_features=int(dim * mlp_ratio))
        self.norm1 = norm_layer(dim)
        self.mlp2 = Mlp(in_features=num_tokens, hidden_features=int(num_tokens * mlp_ratio))
        self.norm2 = norm_layer(num_tokens)

    def forward(self, x, taps=None, name=""):
        x = x + self.mlp1(self.norm1(x))
        if taps is not None:
            taps.append((name + ".mlp1", "MLP", x))
        x = x.transpose(-2, -1)
        x = x + self.mlp2(self.norm2(x))
        x = x.transpose(-2, -1)
        if taps is not None:
            taps.append((name + ".mlp2", "TOKEN_MLP", x))
        return x


class PatchEmbedLinear(nn.Module):
    def __init__(self, patch_size=16, in_chans=3, embed_dim=768):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x)


class LearnedPositionalEncoding(nn.Module):
    def __init__(self, height, width, embed_dim):
        super().__init__()
        self.height = height
        self.width = width
        self.pos_embed = nn.Parameter(torch.zeros(1, embed_dim, height, width))
        self.cls_pos_embed = nn.Parameter(torch.zeros(1, 1, embed_dim))

    def forward(self, x):
        B, C, H, W = x.shape
        if H == self.height and W == self.width:
            pos_embed = self.pos_embed
        else:
            pos_embed = F.interpolate(self.pos_embed, size=(H, W), mode='bilinear', align_corners=False)
        return self.cls_pos_embed, pos_embed


class LinearVisionTransformer(nn.Module):
    def __init__(self, *, patch_size=16, in_chans=3, num_classes=1000, embed_dim=768, depth=12,
                 mlp_ratio=4., norm_layer=partial(nn.LayerNorm, eps=1e-6), pos_size=(14, 14), img_size=224):
        super().__init__()
        self.patch_embed = PatchEmbedLinear(patch_size=patch_size, in_chans=in_chans, embed_dim=embed_dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_encoding = LearnedPositionalEncoding(pos_size[0], pos_size[1], embed_dim)
        self.blocks = nn.ModuleList([
            LinearBlock(embed_dim, mlp_ratio=mlp_ratio, norm_layer=norm_layer,
                        num_tokens=1 + (img_size // patch_size) ** 2)
            for _ in range(depth)])
        self.norm = norm_layer(embed_dim)
        self.head = nn.Linear(embed_dim, num_classes)

    def forward_taps(self, x):
        taps = []
        B = x.shape[0]
        x = self.patch_embed(x)
        cls_pos_embed, pos_embed = self.pos_encoding(x)
        cls_tokens = self.cls_token.expand(B, -1, -1)
        x = x.flatten(2).transpose(1, 2)
        x = torch.cat((cls_tokens, x), dim=1)
        pos_embed = pos_embed.flatten(2).transpose(1, 2)
        pos_embed = torch.cat([cls_pos_embed, pos_embed], dim=1)
        x = x + pos_embed
        taps.append(("embed", "EMBEDDING", x))
        for i, blk in enumerate(self.blocks):
            x = blk(x, taps, "blocks.%d" % i)
        x = self.norm(x)
        return self.head(x[:, 0]), taps

    def forward(self, x):
        return self.forward_taps(x)[0]


def _with(defaults, kw):
    d = dict(defaults)
    d.update(kw)
    return d


def linear_tiny(**kw):
    return LinearVisionTransformer(**_with(dict(patch_size=16, embed_dim=192, depth=12, mlp_ratio=4), kw))


def linear_base(**kw):
    return LinearVisionTransformer(**_with(dict(patch_size=16, embed_dim=768, depth=12, mlp_ratio=4), kw))


def linear_large(**kw):
    return LinearVisionTransformer(**_with(dict(patch_size=32, embed_dim=1024, depth=24, mlp_ratio=4), kw))


# ----------------------------------------------------------------------------------------------------------------
# Refiner-ViT (repo version with Mlp.scale_channel and q, k pre-scaled by sqrt(scale))
# ----------------------------------------------------------------------------------------------------------------

class RefinerMlp(nn.Module):
    def __init__(self, in_features, hidden_features=None, out_features=None):
        super().__init__()
        out_features = out_features or in_features
        hidden_features = hidden_features or in_features
        self.scale_channel = nn.Parameter(1e-5 * torch.ones(in_features))
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.fc2 = nn.Linear(hidden_features, out_features)
        self.act = nn.GELU()

    def forward(self, x):
        x = self.fc2(self.act(self.fc1(x)))
        return self.scale_channel.unsqueeze(0).unsqueeze(0) * x


class Conv2dSamePadding(nn.Conv2d):
    """TF-'same' conv as in refiner_utils.py (note: the repo passes (1,1) in the *dilation* slot)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, dilation=1, groups=1, bias=True):
        super().__init__(in_channels, out_channels, kernel_size, stride, 0, dilation, groups, bias)
        self.stride = self.stride if len(self.stride) == 2 else [self.stride[0]] * 2

    def forward(self, x):
        ih, iw = x.size()[-2:]
        kh, kw = self.weight.size()[-2:]
        sh, sw = self.stride
        oh, ow = math.ceil(ih / sh), math.ceil(iw / sw)
        pad_h = max((oh - 1) * self.stride[0] + (kh - 1) * self.dilation[0] + 1 - ih, 0)
        pad_w = max((ow - 1) * self.stride[1] + (kw - 1) * self.dilation[1] + 1 - iw, 0)
        if pad_h > 0 or pad_w > 0:
            x = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class DLA(nn.Module):
    def __init__(self, inp, oup, kernel_size=3, stride=1, expand_ratio=3, refine_mode='conv_exapnd'):
        super().__init__()
        hidden_dim = round(inp * expand_ratio)
        self.expand_ratio = expand_ratio
        self.identity = stride == 1 and inp == oup
        self.refine_mode = refine_mode
        if self.expand_ratio != 1:
            self.conv_exp = Conv2dSamePadding(inp, hidden_dim, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(hidden_dim)
        self.depth_sep_conv = Conv2dSamePadding(hidden_dim, hidden_dim, (kernel_size, kernel_size), stride, (1, 1),
                                                groups=hidden_dim, bias=False)
        self.bn2 = nn.BatchNorm2d(hidden_dim)
        self.conv_pro = Conv2dSamePadding(hidden_dim, oup, 1, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(oup)
        self.relu = nn.ReLU6(inplace=True)

    def forward(self, input):
        x = input
        if self.expand_ratio != 1:
            x = self.relu(self.bn1(self.conv_exp(x)))
        x = self.relu(self.bn2(self.depth_sep_conv(x)))
        x = self.bn3(self.conv_pro(x))
        return x + input if self.identity else x


class Refined_Attention(nn.Module):
    def __init__(self, dim, num_heads=8, qkv_bias=False, expansion_ratio=3, share_atten=False):
        super().__init__()
        self.num_heads = num_heads
        self.share_atten = share_atten
        head_dim = dim // num_heads
        self.scale = head_dim ** -0.5
        if self.share_atten:
            self.DLA = DLA(self.num_heads, self.num_heads, refine_mode='conv_exapnd')
            self.adapt_bn = nn.BatchNorm2d(self.num_heads)
            self.qkv = nn.Linear(dim, dim, bias=qkv_bias)
        else:  # apply_transform is False in every registered Refiner_ViT_*
            self.qkv = nn.Linear(dim, dim * expansion_ratio, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, atten=None):
        B, N, C = x.shape
        if self.share_atten:
            attn = self.adapt_bn(self.DLA(atten)) * self.scale
            v = self.qkv(x).reshape(B, N, self.num_heads, C // self.num_heads).permute(0, 2, 1, 3)
            attn_next = atten
        else:
            qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            q = math.sqrt(self.scale) * q
            k = math.sqrt(self.scale) * k
            attn = (q @ k.transpose(-2, -1))
            attn = attn.softmax(dim=-1) + atten * self.scale if atten is not None else attn.softmax(dim=-1)
            attn_next = attn
        x = (attn @ v).transpose(1, 2).reshape(B, attn.shape[-1], C)
        return self.proj(x), attn_next


class RefinerBlock(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio=4., qkv_bias=False, norm_layer=nn.LayerNorm, share=False):
        super().__init__()
        self.norm1 = norm_layer(dim)
        self.adjust_ratio = 0.5
        self.attn = Refined_Attention(dim, num_heads=num_heads, qkv_bias=qkv_bias, share_atten=share)
        self.norm2 = norm_layer(dim)
        self.mlp = RefinerMlp(in_features=dim, hidden_features=int(dim * mlp_ratio))

    def forward(self, x, atten=None, taps=None, name=""):
        x_new, atten = self.attn(self.norm1(x * self.adjust_ratio), atten)
        x = x + x_new / self.adjust_ratio
        if taps is not None:
            taps.append((name + ".attn", "ATTENTION", x))
        x = x + self.mlp(self.norm2(x * self.adjust_ratio)) / self.adjust_ratio
        if taps is not None:
            taps.append((name + ".mlp", "MLP", x))
        return x, atten


class PatchEmbed_cnn(nn.Module):
    def __init__(self, img_size=224, patch_size=16, in_chans=3, embed_dim=768, stem_widths=(32, 64, 128)):
        super().__init__()
        new_patch_size = (patch_size // 2, patch_size // 2)
        self.num_patches = (img_size // patch_size) ** 2
        w1, w2, w3 = stem_widths
        self.conv1 = nn.Conv2d(in_chans, w1, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(w1)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(w1, w2, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(w2)
        self.conv3 = nn.Conv2d(w2, w3, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(w3)
        self.proj = nn.Conv2d(w3, embed_dim, kernel_size=new_patch_size, stride=new_patch_size)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.relu(self.bn2(self.conv2(x)))
        x = self.relu(self.bn3(self.conv3(x)))
        return self.proj(x)


class Refiner_ViT(nn.Module):
    def __init__(self, img_size=224, patch_size=16, num_classes=1000, embed_dim=768, depth=(False, True) * 6,
                 num_heads=12, mlp_ratio=4., qkv_bias=False, norm_layer=partial(nn.LayerNorm, eps=1e-6),
                 stem_widths=(32, 64, 128)):
        super().__init__()
        self.patch_embed = PatchEmbed_cnn(img_size=img_size, patch_size=patch_size, embed_dim=embed_dim,
                                          stem_widths=stem_widths)
        num_patches = self.patch_embed.num_patches
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, embed_dim))
        self.blocks = nn.ModuleList([
            RefinerBlock(embed_dim, num_heads, mlp_ratio=mlp_ratio, qkv_bias=qkv_bias, norm_layer=norm_layer,
                         share=depth[i]) for i in range(len(depth))])
        self.norm = norm_layer(embed_dim)
        self.head = nn.Linear(embed_dim, num_classes)
        self.aux_head = nn.Linear(embed_dim, num_classes)

    def forward_taps(self, x):
        taps = []
        B = x.shape[0]
        x = self.patch_embed(x)
        x = x.flatten(2).transpose(1, 2)
        x = torch.cat((self.cls_token.expand(B, -1, -1), x), dim=1)
        x = x + self.pos_embed
        taps.append(("embed", "EMBEDDING", x))
        attn = None
        for i, blk in enumerate(self.blocks):
            x, attn = blk(x, attn, taps, "blocks.%d" % i)
        x = self.norm(x)
        x_cls = self.head(x[:, 0])
        x_aux = self.aux_head(x[:, 1:])
        return x_cls + 0.5 * x_aux.max(1)[0], taps  # eval-mode output of the repo

    def forward(self, x):
        return self.forward_taps(x)[0]


def Refiner_ViT_S(**kw):
    return Refiner_ViT(**_with(dict(patch_size=16, embed_dim=384, depth=[False, True] * 8, num_heads=12,
                                    mlp_ratio=3, qkv_bias=True), kw))


def Refiner_ViT_M(**kw):
    return Refiner_ViT(**_with(dict(patch_size=16, embed_dim=420, depth=[False, True] * 16, num_heads=12,
                                    mlp_ratio=3, qkv_bias=True), kw))


def Refiner_ViT_L(**kw):
    return Refiner_ViT(**_with(dict(patch_size=16, embed_dim=512, depth=[False, True] * 16, num_heads=16,
                                    mlp_ratio=3, qkv_bias=True), kw))


# ----------------------------------------------------------------------------------------------------------------
# AlterNet ("How Do Vision Transformers Work?", branch transformer, models/alternet.py)
# ----------------------------------------------------------------------------------------------------------------

def conv1x1(i, o, stride=1):
    return nn.Conv2d(i, o, kernel_size=1, stride=stride, padding=0, bias=False)


def conv3x3(i, o, stride=1):
    return nn.Conv2d(i, o, kernel_size=3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):  # preresnet_dnn_block.BasicBlock
    expansion = 1

    def __init__(self, in_channels, channels, stride=1, **kw):
        super().__init__()
        self.shortcut = []
        if stride != 1 or in_channels != channels * self.expansion:
            self.shortcut.append(conv1x1(in_channels, channels * self.expansion, stride=stride))
        self.shortcut = nn.Sequential(*self.shortcut)
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.relu1 = nn.ReLU()
        self.conv1 = conv3x3(in_channels, channels, stride=stride)
        self.bn2 = nn.BatchNorm2d(channels)
        self.relu2 = nn.ReLU()
        self.conv2 = conv3x3(channels, channels * self.expansion)

    def forward(self, x):
        if len(self.shortcut) > 0:
            x = self.relu1(self.bn1(x))
            skip = self.shortcut(x)
        else:
            skip = x
            x = self.relu1(self.bn1(x))
        x = self.conv2(self.relu2(self.bn2(self.conv1(x))))
        return skip + x


class Bottleneck(nn.Module):  # preresnet_dnn_block.Bottleneck
    expansion = 4

    def __init__(self, in_channels, channels, stride=1, **kw):
        super().__init__()
        width = channels
        self.shortcut = []
        if stride != 1 or in_channels != channels * self.expansion:
            self.shortcut.append(conv1x1(in_channels, channels * self.expansion, stride=stride))
        self.shortcut = nn.Sequential(*self.shortcut)
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.relu1 = nn.ReLU()
        self.conv1 = conv1x1(in_channels, width)
        self.bn2 = nn.BatchNorm2d(width)
        self.relu2 = nn.ReLU()
        self.conv2 = conv3x3(width, width, stride=stride)
        self.bn3 = nn.BatchNorm2d(width)
        self.relu3 = nn.ReLU()
        self.conv3 = conv1x1(width, channels * self.expansion)

    def forward(self, x):
        if len(self.shortcut) > 0:
            x = self.relu1(self.bn1(x))
            skip = self.shortcut(x)
        else:
            skip = x
            x = self.relu1(self.bn1(x))
        x = self.relu2(self.bn2(self.conv1(x)))
        x = self.relu3(self.bn3(self.conv2(x)))
        x = self.conv3(x)
        return skip + x


class Attention2d(nn.Module):
    def __init__(self, dim_in, dim_out=None, *, heads=8, dim_head=64, k=1):
        super().__init__()
        self.heads = heads
        self.scale = dim_head ** -0.5
        inner_dim = dim_head * heads
        dim_out = dim_in if dim_out is None else dim_out
        self.to_q = nn.Conv2d(dim_in, inner_dim * 1, 1, bias=False)
        self.to_kv = nn.Conv2d(dim_in, inner_dim * 2, k, stride=k, bias=False)
        self.to_out = nn.Sequential(nn.Conv2d(inner_dim, dim_out, 1))

    def forward(self, x, mask=None):
        b, n, _, y = x.shape
        q = self.to_q(x)
        k, v = self.to_kv(x).chunk(2, dim=1)

        def split(t):  # 'b (h d) x y -> b h (x y) d'
            bb, hd, xx, yy = t.shape
            return t.reshape(bb, self.heads, hd // self.heads, xx * yy).transpose(2, 3)

        q, k, v = split(q), split(k), split(v)
        dots = torch.einsum('bhid,bhjd->bhij', q, k) * self.scale
        dots = dots + mask if mask is not None else dots
        attn = dots.softmax(dim=-1)
        out = torch.einsum('bhij,bhjd->bhid', attn, v)
        bb, hh, nn_, dd = out.shape
        out = out.transpose(2, 3).reshape(bb, hh * dd, nn_ // y, y)  # 'b h (x y) d -> b (h d) x y'
        return self.to_out(out), attn


class LocalAttention(nn.Module):
    def __init__(self, dim_in, dim_out=None, *, window_size=7, k=1, heads=8, dim_head=32):
        super().__init__()
        self.attn = Attention2d(dim_in, dim_out, heads=heads, dim_head=dim_head, k=k)
        self.window_size = window_size
        self.rel_index = self.rel_distance(window_size) + window_size - 1
        self.pos_embedding = nn.Parameter(torch.randn(2 * window_size - 1, 2 * window_size - 1) * 0.02)

    def forward(self, x, mask=None):
        b, c, h, w = x.shape
        p = self.window_size
        n1, n2 = h // p, w // p
        assert h % p == 0 and w % p == 0
        mask = torch.zeros(p ** 2, p ** 2, device=x.device) if mask is None else mask
        mask = mask + self.pos_embedding[self.rel_index[:, :, 0], self.rel_index[:, :, 1]]
        # "b c (n1 p1) (n2 p2) -> (b n1 n2) c p1 p2"
        x = x.reshape(b, c, n1, p, n2, p).permute(0, 2, 4, 1, 3, 5).reshape(b * n1 * n2, c, p, p)
        x, attn = self.attn(x, mask)
        c2 = x.shape[1]
        # "(b n1 n2) c p1 p2 -> b c (n1 p1) (n2 p2)"
        x = x.reshape(b, n1, n2, c2, p, p).permute(0, 3, 1, 4, 2, 5).reshape(b, c2, h, w)
        return x, attn

    @staticmethod
    def rel_distance(window_size):
        i = torch.tensor(np.array([[x, y] for x in range(window_size) for y in range(window_size)]))
        return i[None, :, :] - i[:, None, :]


class AttentionBlockB(nn.Module):
    expansion = 4

    def __init__(self, dim_in, dim_out=None, *, heads=8, dim_head=64, stride=1, window_size=7, k=1, **kw):
        super().__init__()
        dim_out = dim_in if dim_out is None else dim_out
        width = dim_in // self.expansion
        self.shortcut = []
        if stride != 1 or dim_in != dim_out * self.expansion:
            self.shortcut.append(conv1x1(dim_in, dim_out * self.expansion, stride=stride))
        self.shortcut = nn.Sequential(*self.shortcut)
        self.norm1 = nn.BatchNorm2d(dim_in)
        self.relu = nn.GELU()
        self.conv = nn.Conv2d(dim_in, width, kernel_size=1, bias=False)
        self.norm2 = nn.BatchNorm2d(width)
        self.attn = LocalAttention(width, dim_out * self.expansion, window_size=window_size, k=k, heads=heads,
                                   dim_head=dim_head)

    def forward(self, x):
        if len(self.shortcut) > 0:
            x = self.relu(self.norm1(x))
            skip = self.shortcut(x)
        else:
            skip = x
            x = self.relu(self.norm1(x))
        x = self.norm2(self.conv(x))
        x, attn = self.attn(x)
        return x + skip


class AttentionBasicBlockB(AttentionBlockB):
    expansion = 1


class StemB(nn.Module):
    def __init__(self, dim_in, dim_out, pool=True):
        super().__init__()
        self.layer0 = nn.Sequential(nn.Conv2d(dim_in, dim_out, kernel_size=7, stride=2, padding=3, bias=False),
                                    nn.MaxPool2d(kernel_size=3, stride=2, padding=1))

    def forward(self, x):
        return self.layer0(x)


class BNGAPBlock(nn.Module):
    def __init__(self, in_features, num_classes, **kwargs):
        super().__init__()
        self.bn = nn.BatchNorm2d(in_features)
        self.relu = nn.ReLU()
        self.gap = nn.AdaptiveAvgPool2d((1, 1))
        self.dense = nn.Linear(in_features, num_classes)

    def forward(self, x):
        x = self.gap(self.relu(self.bn(x)))
        return self.dense(x.view(x.size()[0], -1))


class AlterNet(nn.Module):
    def __init__(self, block1, block2, *, num_blocks, num_blocks2, heads, num_classes=1000,
                 stem_width=64, widths=(64, 128, 256, 512), **block_kwargs):
        super().__init__()
        self.layer0 = StemB(3, stem_width)
        chans = stem_width
        for s in range(4):
            layer = self._make_layer(block1, block2, chans, widths[s], num_blocks[s], num_blocks2[s],
                                     stride=1 if s == 0 else 2, heads=heads[s], **block_kwargs)
            setattr(self, "layer%d" % (s + 1), layer)
            chans = widths[s] * block2.expansion
        self.classifier = nn.Sequential(BNGAPBlock(widths[3] * block2.expansion, num_classes))

    @staticmethod
    def _make_layer(block1, block2, in_channels, out_channels, num_block1, num_block2, stride, heads,
                    **block_kwargs):
        alt_seq = [False] * (num_block1 - num_block2 * 2) + [False, True] * num_block2
        stride_seq = [stride] + [1] * (num_block1 - 1)
        seq, channels = [], in_channels
        for alt, stride in zip(alt_seq, stride_seq):
            block = block1 if not alt else block2
            seq.append(block(channels, out_channels, stride=stride, heads=heads, **block_kwargs))
            channels = out_channels * block.expansion
        return nn.Sequential(*seq)

    def forward_taps(self, x):
        taps = []
        x = self.layer0(x)
        taps.append(("layer0", "CONV", x))
        for s in range(1, 5):
            for i, blk in enumerate(getattr(self, "layer%d" % s)):
                x = blk(x)
                kind = "ATTENTION" if isinstance(blk, AttentionBlockB) else "CONV"
                taps.append(("layer%d.%d" % (s, i), kind, x))
        return self.classifier(x), taps

    def forward(self, x):
        return self.forward_taps(x)[0]


def _alternet(block1, block2, blocks, blocks2, **kw):
    return AlterNet(block1, block2, **_with(dict(num_blocks=blocks, num_blocks2=blocks2, heads=(3, 6, 12, 24)), kw))


def dnn_18(**kw):
    return _alternet(BasicBlock, AttentionBasicBlockB, (2, 2, 2, 2), (0, 1, 1, 1), **kw)


def dnn_34(**kw):
    return _alternet(BasicBlock, AttentionBasicBlockB, (3, 4, 6, 4), (0, 1, 3, 2), **kw)


def dnn_50(**kw):
    return _alternet(Bottleneck, AttentionBlockB, (3, 4, 6, 4), (0, 1, 3, 2), **kw)


def dnn_101(**kw):
    return _alternet(Bottleneck, AttentionBlockB, (3, 4, 23, 4), (0, 1, 3, 2), **kw)


def dnn_152(**kw):
    return _alternet(Bottleneck, AttentionBlockB, (3, 8, 36, 4), (0, 1, 3, 2), **kw)
