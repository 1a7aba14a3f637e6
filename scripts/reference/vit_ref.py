"""Plain-PyTorch reference Vision Transformer in the timm layout, plus checkpoint writers.

Run with Debian's interpreter: /usr/bin/python3 (torch 1.13, torchvision 0.14, numpy). No timm,
no safetensors package needed.

What is here
------------
* ``VisionTransformer``: a re-implementation of timm's ``timm.models.vision_transformer.VisionTransformer``
  (and DeiT's ``VisionTransformerDistilled``) whose ``state_dict()`` keys match timm exactly:
  ``patch_embed.proj.{weight,bias}``, ``cls_token``, ``dist_token``, ``pos_embed``,
  ``blocks.{i}.{norm1,attn.qkv,attn.proj,ls1.gamma,norm2,mlp.fc1,mlp.fc2,ls2.gamma}``,
  ``norm`` | ``fc_norm``, ``head``, ``head_dist``.
  Options: class_token, distilled (dist token + head_dist, output = (head + head_dist) / 2 at eval),
  no_embed_class (pos_embed covers patch tokens only), init_values (LayerScale), qkv_bias, reg_tokens (register
  tokens after the class token, timm's ``reg_token`` [1, R, D]),
  global_pool 'token' | 'avg' | 'max' | 'avgmax' (these three => fc_norm after pooling instead of final norm,
  like timm) | 'map' (timm's AttentionPoolLatent, ``attn_pool.*``),
  in_chans, num_classes (0 => no head; forward returns pooled features).
  ``forward_features`` -> tokens after the final norm, ``forward_head(x, pre_logits=True)`` -> embedding,
  ``attention_maps(x)`` -> list of [B, heads, N, N] softmax probabilities per block.
* ``resample_abs_pos_embed``: timm's pos-embed resampling (prefix tokens kept, bicubic, antialias, float32).
* ``resample_pos_embed_hf``: HF ``interpolate_pos_encoding`` (bicubic, no antialias, align_corners=False).
* ``timm_to_hf(state_dict, model_type='vit'|'deit', distilled=False)``: timm key names -> HF transformers
  names (qkv split into query/key/value), plus ``hf_config(...)`` for a matching HF ``config.json``.
* ``write_safetensors(path, tensors, metadata=None, dtype='F32')``: writes the safetensors format
  (8-byte little-endian header length, JSON header, raw little-endian bytes). dtype F32 | F16 | BF16.
* ``read_safetensors(path)``: the inverse (F32/F16/BF16 -> float32 numpy), handy for checks.
* ``write_timm_folder(folder, model, architecture, ...)``: a timm hub folder (``config.json`` with
  architecture, num_classes, num_features, global_pool, model_args, pretrained_cfg[, label_names] and
  ``model.safetensors``), loadable by ``VisionModel.load(folder)`` in Java.

Usage example (e.g. for a small model trained on sklearn digits)::

    import sys; sys.path.insert(0, 'scripts/reference')
    from vit_ref import VisionTransformer, write_timm_folder
    m = VisionTransformer(img_size=32, patch_size=4, in_chans=3, num_classes=10,
                          embed_dim=64, depth=4, num_heads=4, mlp_ratio=2.0)
    ... train ...
    write_timm_folder('models/digits', m, architecture='vit_tiny_patch16_224',
                      model_args=m.model_args(),           # overrides every size-relevant timm kwarg
                      pretrained_cfg=dict(input_size=[3, 32, 32], interpolation='bilinear',
                                          crop_pct=1.0, mean=[0.5] * 3, std=[0.5] * 3),
                      label_names=[str(i) for i in range(10)])
"""

import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# --------------------------------------------------------------------------------------------
# Model (timm layout)
# --------------------------------------------------------------------------------------------

class QuickGELU(nn.Module):
    """timm.layers.activations.QuickGELU (OpenAI CLIP)."""

    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class PatchEmbed(nn.Module):
    def __init__(self, img_size=224, patch_size=16, in_chans=3, embed_dim=768, bias=True):
        super().__init__()
        self.img_size = (img_size, img_size)
        self.patch_size = (patch_size, patch_size)
        self.grid_size = (img_size // patch_size, img_size // patch_size)
        self.num_patches = self.grid_size[0] * self.grid_size[1]
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size, bias=bias)

    def forward(self, x):
        x = self.proj(x)                       # B, D, H/p, W/p
        return x.flatten(2).transpose(1, 2)    # B, N, D


class Attention(nn.Module):
    def __init__(self, dim, num_heads, qkv_bias=True):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, return_attn=False):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q * self.scale) @ k.transpose(-2, -1)
        attn = attn.softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        x = self.proj(x)
        return (x, attn) if return_attn else x


class LayerScale(nn.Module):
    def __init__(self, dim, init_values=1e-5):
        super().__init__()
        self.gamma = nn.Parameter(init_values * torch.ones(dim))

    def forward(self, x):
        return x * self.gamma


class Mlp(nn.Module):
    def __init__(self, dim, hidden, act_layer='gelu'):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        # exact erf GELU, as timm's default; 'gelu_tanh' is timm's GELUTanh = nn.GELU(approximate='tanh');
        # 'quick_gelu' is timm's QuickGELU, x * sigmoid(1.702 x) (OpenAI CLIP)
        self.act = {'gelu': nn.GELU(), 'gelu_tanh': nn.GELU(approximate='tanh'), 'quick_gelu': QuickGELU()}[act_layer]
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class AttentionPoolLatent(nn.Module):
    """timm.layers.AttentionPoolLatent as ViT's 'map' pool builds it: one latent query, qkv bias, LayerNorm, Mlp."""

    def __init__(self, dim, num_heads, mlp_ratio=4.0, eps=1e-6, act_layer='gelu'):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.latent = nn.Parameter(torch.zeros(1, 1, dim))
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(dim, dim * 2)
        self.proj = nn.Linear(dim, dim)
        self.norm = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), act_layer)

    def forward(self, x):
        B, N, C = x.shape
        q = self.q(self.latent.expand(B, -1, -1)).reshape(B, 1, self.num_heads, self.head_dim).transpose(1, 2)
        k, v = self.kv(x).reshape(B, N, 2, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4).unbind(0)
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(B, 1, C)
        x = self.proj(x)
        x = x + self.mlp(self.norm(x))
        return x[:, 0]


class Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio=4.0, qkv_bias=True, init_values=None, eps=1e-6, act_layer='gelu'):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, num_heads, qkv_bias)
        self.ls1 = LayerScale(dim, init_values) if init_values else nn.Identity()
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), act_layer)
        self.ls2 = LayerScale(dim, init_values) if init_values else nn.Identity()

    def forward(self, x, return_attn=False):
        a, attn = self.attn(self.norm1(x), return_attn=True)
        x = x + self.ls1(a)
        x = x + self.ls2(self.mlp(self.norm2(x)))
        return (x, attn) if return_attn else x


class VisionTransformer(nn.Module):
    """timm VisionTransformer (+ DeiT distilled) with identical parameter names."""

    def __init__(self, img_size=224, patch_size=16, in_chans=3, num_classes=1000, global_pool='token',
                 embed_dim=768, depth=12, num_heads=12, mlp_ratio=4.0, qkv_bias=True, init_values=None,
                 class_token=True, no_embed_class=False, fc_norm=None, distilled=False, eps=1e-6, reg_tokens=0,
                 act_layer='gelu', pre_norm=False):
        super().__init__()
        assert global_pool in ('token', 'avg', 'max', 'avgmax', 'map')
        assert class_token or global_pool != 'token'
        self._args = dict(img_size=img_size, patch_size=patch_size, in_chans=in_chans, embed_dim=embed_dim,
                          depth=depth, num_heads=num_heads, mlp_ratio=mlp_ratio, qkv_bias=qkv_bias,
                          init_values=init_values, class_token=class_token, no_embed_class=no_embed_class,
                          fc_norm=fc_norm, reg_tokens=reg_tokens, act_layer=act_layer, pre_norm=pre_norm)
        self.num_classes = num_classes
        self.global_pool = global_pool
        self.distilled = distilled
        self.num_prefix_tokens = (1 if class_token else 0) + (1 if distilled else 0) + reg_tokens
        self.no_embed_class = no_embed_class
        self.embed_dim = embed_dim
        use_fc_norm = global_pool in ('avg', 'avgmax', 'max') if fc_norm is None else fc_norm

        self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim, bias=not pre_norm)  # timm: bias=not pre_norm
        num_patches = self.patch_embed.num_patches
        self.cls_token = nn.Parameter(torch.randn(1, 1, embed_dim) * .02) if class_token else None
        self.dist_token = nn.Parameter(torch.randn(1, 1, embed_dim) * .02) if distilled else None
        self.reg_token = nn.Parameter(torch.randn(1, reg_tokens, embed_dim) * .02) if reg_tokens else None
        embed_len = num_patches if no_embed_class else num_patches + self.num_prefix_tokens
        self.pos_embed = nn.Parameter(torch.randn(1, embed_len, embed_dim) * .02)
        self.norm_pre = nn.LayerNorm(embed_dim, eps=eps) if pre_norm else nn.Identity()
        self.blocks = nn.Sequential(*[
            Block(embed_dim, num_heads, mlp_ratio, qkv_bias, init_values, eps, act_layer) for _ in range(depth)])
        self.norm = nn.LayerNorm(embed_dim, eps=eps) if not use_fc_norm else nn.Identity()
        self.fc_norm = nn.LayerNorm(embed_dim, eps=eps) if use_fc_norm else nn.Identity()
        self.attn_pool = AttentionPoolLatent(embed_dim, num_heads, mlp_ratio, eps, act_layer) if global_pool == 'map' else None
        self.head = nn.Linear(embed_dim, num_classes) if num_classes > 0 else nn.Identity()
        if distilled:
            self.head_dist = nn.Linear(embed_dim, num_classes) if num_classes > 0 else nn.Identity()

    def model_args(self):
        """timm create_model kwargs reproducing this model's shape (for config.json model_args)."""
        args = dict(self._args)
        if args['init_values'] is None:
            del args['init_values']
        if args['fc_norm'] is None:
            del args['fc_norm']
        if not args['reg_tokens']:
            del args['reg_tokens']
        if args['act_layer'] == 'gelu':
            del args['act_layer']
        if not args['pre_norm']:
            del args['pre_norm']
        return args

    def _pos_embed(self, x, pos_embed):
        prefix = []
        if self.cls_token is not None:
            prefix.append(self.cls_token.expand(x.shape[0], -1, -1))
        if self.dist_token is not None:
            prefix.append(self.dist_token.expand(x.shape[0], -1, -1))
        if self.reg_token is not None:  # timm: cls, then the register tokens
            prefix.append(self.reg_token.expand(x.shape[0], -1, -1))
        if self.no_embed_class:
            x = x + pos_embed
            if prefix:
                x = torch.cat(prefix + [x], dim=1)
        else:
            if prefix:
                x = torch.cat(prefix + [x], dim=1)
            x = x + pos_embed
        return x

    def _current_pos_embed(self, x_img, pos_interp):
        """pos_embed for the input's grid: as stored, or resampled ('timm' or 'hf' style)."""
        gh = x_img.shape[-2] // self.patch_embed.patch_size[0]
        gw = x_img.shape[-1] // self.patch_embed.patch_size[1]
        if (gh, gw) == self.patch_embed.grid_size:
            return self.pos_embed
        npt = 0 if self.no_embed_class else self.num_prefix_tokens
        if pos_interp == 'timm':
            return resample_abs_pos_embed(self.pos_embed, (gh, gw), self.patch_embed.grid_size, npt)
        if pos_interp == 'hf':
            return resample_pos_embed_hf(self.pos_embed, (gh, gw), self.patch_embed.grid_size, npt)
        raise ValueError('input size differs from img_size and pos_interp is ' + str(pos_interp))

    def forward_features(self, x, pos_interp=None, return_attn=False):
        pos = self._current_pos_embed(x, pos_interp)
        x = self.patch_embed(x)
        x = self._pos_embed(x, pos)
        x = self.norm_pre(x)
        maps = []
        for blk in self.blocks:
            x, a = blk(x, return_attn=True)
            maps.append(a)
        x = self.norm(x)
        return (x, maps) if return_attn else x

    def forward_head(self, x, pre_logits=False):
        if self.distilled:
            # DeiT distilled: token 0 -> head, token 1 -> head_dist, averaged at inference
            if pre_logits:
                return (x[:, 0] + x[:, 1]) / 2   # timm's pre_logits for distilled = mean of the two tokens
            return (self.head(x[:, 0]) + self.head_dist(x[:, 1])) / 2
        if self.global_pool == 'token':
            x = x[:, 0]
        elif self.global_pool == 'map':  # attention pooling over every token
            x = self.attn_pool(x)
        else:  # timm global_pool_nlc: reduce over the patch tokens only
            x = x[:, self.num_prefix_tokens:]
            if self.global_pool == 'avg':
                x = x.mean(dim=1)
            elif self.global_pool == 'max':
                x = x.amax(dim=1)
            else:
                x = 0.5 * (x.amax(dim=1) + x.mean(dim=1))
        x = self.fc_norm(x)
        return x if pre_logits else self.head(x)

    def forward(self, x, pos_interp=None):
        return self.forward_head(self.forward_features(x, pos_interp))

    def attention_maps(self, x, pos_interp=None):
        return self.forward_features(x, pos_interp, return_attn=True)[1]


# --------------------------------------------------------------------------------------------
# Position-embedding resampling
# --------------------------------------------------------------------------------------------

def resample_abs_pos_embed(posemb, new_size, old_size=None, num_prefix_tokens=1,
                           interpolation='bicubic', antialias=True):
    """timm.layers.pos_embed.resample_abs_pos_embed (prefix tokens kept, float32)."""
    num_pos_tokens = posemb.shape[1]
    num_new_tokens = new_size[0] * new_size[1] + num_prefix_tokens
    if num_new_tokens == num_pos_tokens and new_size[0] == new_size[1]:
        return posemb
    if old_size is None:
        hw = int(math.sqrt(num_pos_tokens - num_prefix_tokens))
        old_size = hw, hw
    if num_prefix_tokens:
        prefix, posemb = posemb[:, :num_prefix_tokens], posemb[:, num_prefix_tokens:]
    else:
        prefix = None
    dim = posemb.shape[-1]
    orig_dtype = posemb.dtype
    posemb = posemb.float().reshape(1, old_size[0], old_size[1], -1).permute(0, 3, 1, 2)
    posemb = F.interpolate(posemb, size=new_size, mode=interpolation, antialias=antialias)
    posemb = posemb.permute(0, 2, 3, 1).reshape(1, -1, dim).to(orig_dtype)
    if prefix is not None:
        posemb = torch.cat([prefix, posemb], dim=1)
    return posemb


def resample_pos_embed_hf(posemb, new_size, old_size, num_prefix_tokens=1):
    """HF transformers ViTEmbeddings.interpolate_pos_encoding (bicubic, align_corners=False, no antialias)."""
    prefix, patch = posemb[:, :num_prefix_tokens], posemb[:, num_prefix_tokens:]
    dim = posemb.shape[-1]
    patch = patch.reshape(1, old_size[0], old_size[1], dim).permute(0, 3, 1, 2)
    patch = F.interpolate(patch, size=new_size, mode='bicubic', align_corners=False)
    patch = patch.permute(0, 2, 3, 1).reshape(1, -1, dim)
    return torch.cat([prefix, patch], dim=1)


# --------------------------------------------------------------------------------------------
# HF transformers naming
# --------------------------------------------------------------------------------------------

def timm_to_hf(sd, model_type='vit', distilled=False):
    """timm state_dict -> HF ViTForImageClassification / DeiTForImageClassification(WithTeacher) names."""
    root = model_type   # 'vit' or 'deit'
    out = {}
    for k, v in sd.items():
        v = v.detach().clone()
        if k == 'cls_token':
            out[f'{root}.embeddings.cls_token'] = v
        elif k == 'dist_token':
            out[f'{root}.embeddings.distillation_token'] = v
        elif k == 'pos_embed':
            out[f'{root}.embeddings.position_embeddings'] = v
        elif k.startswith('patch_embed.proj.'):
            out[f'{root}.embeddings.patch_embeddings.projection.' + k.split('.')[-1]] = v
        elif k.startswith('blocks.'):
            _, i, rest = k.split('.', 2)
            p = f'{root}.encoder.layer.{i}.'
            kind = rest.split('.')[-1]
            if rest.startswith('attn.qkv.'):
                q, kk, vv = v.chunk(3, dim=0)
                out[p + 'attention.attention.query.' + kind] = q.clone()
                out[p + 'attention.attention.key.' + kind] = kk.clone()
                out[p + 'attention.attention.value.' + kind] = vv.clone()
            elif rest.startswith(('ls1.', 'ls2.')):
                raise KeyError('HF ViT/DeiT have no LayerScale; cannot convert ' + k)
            else:
                name = {'norm1': 'layernorm_before', 'norm2': 'layernorm_after',
                        'attn.proj': 'attention.output.dense', 'mlp.fc1': 'intermediate.dense',
                        'mlp.fc2': 'output.dense'}[rest.rsplit('.', 1)[0]]
                out[p + name + '.' + kind] = v
        elif k.startswith('norm.'):
            out[f'{root}.layernorm.' + k.split('.')[-1]] = v
        elif k.startswith('head.'):
            out[('cls_classifier.' if distilled else 'classifier.') + k.split('.')[-1]] = v
        elif k.startswith('head_dist.'):
            out['distillation_classifier.' + k.split('.')[-1]] = v
        else:
            raise KeyError('no HF name for ' + k)
    return out


def hf_config(model, model_type='vit', id2label=None, layer_norm_eps=1e-12):
    """HF config.json dict for a VisionTransformer built with token pooling, eps=layer_norm_eps."""
    a = model._args
    cfg = {
        'model_type': model_type,
        'architectures': ['DeiTForImageClassificationWithTeacher' if model.distilled else
                          ('DeiTForImageClassification' if model_type == 'deit' else 'ViTForImageClassification')],
        'hidden_size': a['embed_dim'], 'num_hidden_layers': a['depth'], 'num_attention_heads': a['num_heads'],
        'intermediate_size': int(a['embed_dim'] * a['mlp_ratio']), 'hidden_act': 'gelu',
        'layer_norm_eps': layer_norm_eps, 'image_size': a['img_size'], 'patch_size': a['patch_size'],
        'num_channels': a['in_chans'], 'qkv_bias': a['qkv_bias'],
    }
    if id2label is not None:
        cfg['id2label'] = {str(i): n for i, n in enumerate(id2label)}
        cfg['label2id'] = {n: i for i, n in enumerate(id2label)}
    return cfg


# --------------------------------------------------------------------------------------------
# safetensors + timm hub folder
# --------------------------------------------------------------------------------------------

def _to_numpy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().float().contiguous().numpy()
    return np.ascontiguousarray(t, dtype=np.float32)


def _encode(arr, dtype):
    if dtype == 'I64':
        return np.ascontiguousarray(arr.detach().cpu().numpy() if isinstance(arr, torch.Tensor) else arr).astype('<i8').tobytes()
    arr = _to_numpy(arr)
    if dtype == 'F32':
        return arr.astype('<f4').tobytes()
    if dtype == 'F16':
        return arr.astype('<f2').tobytes()
    if dtype == 'BF16':
        return torch.from_numpy(arr).to(torch.bfloat16).view(torch.int16).numpy().astype('<i2').tobytes()
    raise ValueError('dtype ' + dtype)


def write_safetensors(path, tensors, metadata=None, dtype='F32'):
    """Writes {name: tensor/array} as safetensors. dtype: 'F32' | 'F16' | 'BF16' or {name: dtype}."""
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        dt = dtype[name] if isinstance(dtype, dict) else dtype
        raw = _encode(t, dt)
        shape = list(t.shape)
        header[name] = {'dtype': dt, 'shape': shape, 'data_offsets': [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    if metadata is not None:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    hjson = json.dumps(header, separators=(',', ':')).encode('utf-8')
    hjson += b' ' * ((8 - len(hjson) % 8) % 8)   # pad like the reference writer (alignment)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Reads a safetensors file into {name: float32 numpy array} (F32/F16/BF16 only)."""
    with open(path, 'rb') as f:
        data = f.read()
    n = struct.unpack('<Q', data[:8])[0]
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        b, e = info['data_offsets']
        raw = data[base + b: base + e]
        if info['dtype'] == 'F32':
            a = np.frombuffer(raw, '<f4')
        elif info['dtype'] == 'F16':
            a = np.frombuffer(raw, '<f2').astype(np.float32)
        elif info['dtype'] == 'BF16':
            a = (np.frombuffer(raw, '<u2').astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(info['dtype'])
        out[name] = a.reshape(info['shape']).copy()
    return out


def write_timm_folder(folder, model, architecture, num_classes=None, global_pool=None, model_args=None,
                      pretrained_cfg=None, label_names=None, dtype='F32'):
    """Writes a timm hub folder: config.json + model.safetensors (timm key names)."""
    os.makedirs(folder, exist_ok=True)
    num_classes = model.num_classes if num_classes is None else num_classes
    global_pool = model.global_pool if global_pool is None else global_pool
    pc = {'input_size': [model._args['in_chans'], model._args['img_size'], model._args['img_size']],
          'interpolation': 'bicubic', 'crop_pct': 0.9, 'crop_mode': 'center',
          'mean': [0.5, 0.5, 0.5], 'std': [0.5, 0.5, 0.5], 'num_classes': num_classes,
          'first_conv': 'patch_embed.proj', 'classifier': ['head', 'head_dist'] if model.distilled else 'head'}
    if pretrained_cfg:
        pc.update(pretrained_cfg)
    cfg = {'architecture': architecture, 'num_classes': num_classes, 'num_features': model.embed_dim,
           'global_pool': global_pool, 'pretrained_cfg': pc}
    if model_args:
        cfg['model_args'] = model_args
    if label_names is not None:
        cfg['label_names'] = list(label_names)
    with open(os.path.join(folder, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
    write_safetensors(os.path.join(folder, 'model.safetensors'), model.state_dict(), dtype=dtype)
