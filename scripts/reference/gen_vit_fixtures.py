"""Generates the PyTorch reference fixtures for vit-model's tests (run with /usr/bin/python3 from the repo root):

    /usr/bin/python3 scripts/reference/gen_vit_fixtures.py

Writes vit-model/src/test/resources/fixtures/vit/<case>/ with the model (timm hub folder, HF folder or bare
.safetensors, in that library's tensor names) and expected.safetensors holding the input batch and the
reference outputs: logits, features (pre-logits) and attn_<i> (softmax probabilities [B, heads, T, T]);
cases with another resolution also hold input_<S>, logits_<S>, features_<S>.

Models are tiny (dim 16, 2 blocks, 2 heads, 32x32 input, patch 8) with deliberately large random weights
so attention is far from uniform and every op matters. Weights are stored as F32 (timm_plain, timm_bare, torchvision: exercises packing straight from the
mapping), F16 or BF16 (the rest, smaller fixtures). Weights stored as F16/BF16 are rounded to that
precision inside the PyTorch model before computing the expected outputs, so the comparison is exact up
to float32 arithmetic order.
"""

import json
import os
import shutil
import sys

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vit_ref import (VisionTransformer, hf_config, timm_to_hf, write_safetensors,  # noqa: E402
                     write_timm_folder)

OUT = os.path.join('vit-model', 'src', 'test', 'resources', 'fixtures', 'vit')
SMALL = dict(img_size=32, patch_size=8, embed_dim=16, depth=2, num_heads=2, mlp_ratio=2.0)
BATCH = 2


def randomize(model, seed, scale=0.35):
    """Large random weights: peaky attention, non-trivial LayerNorm affine, LayerScale far from 0."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('norm1.weight') or name.endswith('norm2.weight') or name.endswith('norm.weight'):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith('gamma'):
                p.copy_(0.5 + 0.3 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(scale * torch.randn(p.shape, generator=g))
    return model.eval()


def round_to(model, dtype):
    """Rounds every parameter to F16/BF16 precision (as stored), so PyTorch sees what Java will load."""
    if dtype == 'F32':
        return model
    tdt = torch.float16 if dtype == 'F16' else torch.bfloat16
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.to(tdt).float())
    return model


def inputs(seed, size, batch=BATCH, chans=3):
    g = torch.Generator().manual_seed(seed)
    # rounded to float16 so the stored input (F16, half the bytes) is exactly what PyTorch saw
    return torch.randn(batch, chans, size, size, generator=g).half().float()


def save_expected(path, tensors, model, num_params=None):
    if num_params is None:
        num_params = sum(p.numel() for p in model.parameters())
    meta = {'num_params': num_params}
    write_safetensors(path, tensors, dtype={k: ('F16' if k.startswith('input') else 'F32') for k in tensors},
                      metadata=meta)


def expected(model, x, extra=None, attn=True, pos_interp=None):
    with torch.no_grad():
        out = {'input': x, 'logits': model(x, pos_interp=pos_interp),
               'features': model.forward_head(model.forward_features(x, pos_interp), pre_logits=True)}
        if attn:
            for i, a in enumerate(model.attention_maps(x, pos_interp)):
                out['attn_%d' % i] = a
        for size, interp in (extra or []):
            xs = inputs(1000 + size, size, batch=1)
            out['input_%d' % size] = xs
            out['logits_%d' % size] = model(xs, pos_interp=interp)
            out['features_%d' % size] = model.forward_head(model.forward_features(xs, interp), pre_logits=True)
    return out


def fresh(case):
    d = os.path.join(OUT, case)
    if os.path.exists(d):
        shutil.rmtree(d)
    os.makedirs(d)
    return d


def timm_case(case, arch, seed, dtype='F32', extra=None, pretrained_cfg=None, global_pool=None, folder=True,
              implied=(), **kwargs):
    """implied: model_args keys left out of config.json because the architecture name sets them (as in timm's
    hub configs, which carry no model_args)."""
    args = dict(SMALL, **kwargs)
    m = round_to(randomize(VisionTransformer(num_classes=10, global_pool=global_pool or 'token', **args), seed), dtype)
    d = fresh(case)
    if folder:
        margs = {k: v for k, v in m.model_args().items() if k not in implied}
        write_timm_folder(d, m, architecture=arch, model_args=margs, global_pool=global_pool,
                          pretrained_cfg=pretrained_cfg, label_names=['class_%d' % i for i in range(10)], dtype=dtype)
    else:
        write_safetensors(os.path.join(d, 'model.safetensors'), m.state_dict(), dtype=dtype)
    save_expected(os.path.join(d, 'expected.safetensors'), expected(m, inputs(seed, args['img_size']), extra), m)
    return m


def hf_case(case, model_type, seed, distilled=False, extra=None, dtype='F16'):
    m = round_to(randomize(VisionTransformer(num_classes=5, distilled=distilled, eps=1e-12, **SMALL), seed), dtype)
    d = fresh(case)
    write_safetensors(os.path.join(d, 'model.safetensors'), timm_to_hf(m.state_dict(), model_type, distilled), dtype=dtype)
    with open(os.path.join(d, 'config.json'), 'w') as f:
        json.dump(hf_config(m, model_type, id2label=['hf_label_%d' % i for i in range(5)]), f, indent=2)
    save_expected(os.path.join(d, 'expected.safetensors'), expected(m, inputs(seed, 32), extra), m)


def hf_variant_case(case, seed, kind, dtype='F16'):
    """HF DeiTForImageClassification (dist token, single classifier on token 0) or a headless ViTModel
    (keys without the 'vit.' prefix, plus the pooler, which is not on the feature path)."""
    distilled = kind == 'deit_single_head'
    m = round_to(randomize(VisionTransformer(num_classes=5, distilled=distilled, eps=1e-12, **SMALL), seed), dtype)
    d = fresh(case)
    sd = m.state_dict()
    if distilled:
        sd = {k: v for k, v in sd.items() if not k.startswith('head_dist.')}
        hf = timm_to_hf(sd, 'deit', distilled=False)
        cfg = hf_config(m, 'deit', id2label=['deit_%d' % i for i in range(5)])
        cfg['architectures'] = ['DeiTForImageClassification']
    else:
        sd = {k: v for k, v in sd.items() if not k.startswith('head.')}
        hf = {k[len('vit.'):]: v for k, v in timm_to_hf(sd, 'vit').items()}
        g = torch.Generator().manual_seed(seed)
        hf['pooler.dense.weight'] = torch.randn(16, 16, generator=g)   # (F16 on disk; never loaded)
        hf['pooler.dense.bias'] = torch.randn(16, generator=g)
        cfg = hf_config(m, 'vit')
        cfg['architectures'] = ['ViTModel']
    write_safetensors(os.path.join(d, 'model.safetensors'), hf, dtype=dtype)
    with open(os.path.join(d, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
    x = inputs(seed, 32)
    with torch.no_grad():
        tokens, maps = m.forward_features(x, return_attn=True)
        feats = tokens[:, 0]                     # HF: token 0 after the final layernorm
        logits = m.head(feats) if distilled else feats
    out = {'input': x, 'logits': logits, 'features': feats}
    for i, a in enumerate(maps):
        out['attn_%d' % i] = a
    used = sum(v.numel() for k, v in hf.items() if not k.startswith('pooler.'))   # the pooler is not loaded
    save_expected(os.path.join(d, 'expected.safetensors'), out, m, num_params=used)


def timm_to_open_clip(sd):
    """Inverse of timm's _convert_openai_clip: the image tower under OpenAI CLIP / open_clip names (visual.*)."""
    out = {}
    for k, v in sd.items():
        if k == 'head.bias':
            assert torch.count_nonzero(v) == 0, 'open_clip projections have no bias'
            continue
        if k == 'head.weight':
            out['visual.proj'] = v.t().contiguous()          # x @ proj: [width, embed_dim]
            continue
        if k == 'cls_token':
            out['visual.class_embedding'] = v.reshape(-1)    # [width]
            continue
        if k == 'pos_embed':
            out['visual.positional_embedding'] = v[0]        # [tokens, width]
            continue
        n = k.replace('patch_embed.proj', 'conv1').replace('norm_pre', 'ln_pre').replace('blocks.', 'transformer.resblocks.')
        n = n.replace('.norm1.', '.ln_1.').replace('.norm2.', '.ln_2.').replace('attn.qkv.', 'attn.in_proj_')
        n = n.replace('attn.proj.', 'attn.out_proj.').replace('mlp.fc1', 'mlp.c_fc').replace('mlp.fc2', 'mlp.c_proj')
        if n.startswith('norm.'):
            n = 'ln_post.' + n[len('norm.'):]
        out['visual.' + n] = v
    return out


def clip_tower(seed, dtype):
    """A tiny CLIP image tower (pre_norm, eps 1e-5, QuickGELU) whose 8-wide head has a zero bias, like a projection."""
    m = randomize(VisionTransformer(num_classes=8, pre_norm=True, eps=1e-5, act_layer='quick_gelu', **SMALL), seed)
    with torch.no_grad():
        m.head.bias.zero_()
    return round_to(m, dtype)


def open_clip_case(case, seed, dtype='F16'):
    """An open_clip hub folder (open_clip_config.json + open_clip_model.safetensors): QuickGELU image tower with a
    bias-free projection, plus text-tower tensors the loader must ignore (one of them 0-d, like logit_scale)."""
    m = clip_tower(seed, dtype)
    d = fresh(case)
    g = torch.Generator().manual_seed(seed)
    tensors = timm_to_open_clip(m.state_dict())
    tensors['logit_scale'] = torch.tensor(4.6052)
    tensors['text_projection'] = torch.randn(16, 8, generator=g)
    tensors['token_embedding.weight'] = torch.randn(40, 16, generator=g)
    tensors['transformer.resblocks.0.ln_1.weight'] = torch.randn(16, generator=g)   # text tower: same names sans visual.
    write_safetensors(os.path.join(d, 'open_clip_model.safetensors'), tensors, dtype=dtype)
    cfg = {'model_cfg': {'embed_dim': 8, 'quick_gelu': True,
                         'vision_cfg': {'image_size': 32, 'layers': 2, 'width': 16, 'head_width': 8, 'mlp_ratio': 2.0,
                                        'patch_size': 8},
                         'text_cfg': {'context_length': 77, 'vocab_size': 40, 'width': 16, 'heads': 2, 'layers': 1}},
           'preprocess_cfg': {'mean': [0.48145466, 0.4578275, 0.40821073], 'std': [0.26862954, 0.26130258, 0.27577711]}}
    with open(os.path.join(d, 'open_clip_config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
    used = sum(v.numel() for k, v in tensors.items() if k.startswith('visual.')) + 8   # + the zero head bias
    save_expected(os.path.join(d, 'expected.safetensors'), expected(m, inputs(seed, 32), [(48, 'timm')]), m,
                  num_params=used)


def timm_to_hf_clip(sd, dim):
    """The image tower under transformers' CLIPModel names (vision_model.* + visual_projection)."""
    out = {}
    for k, v in sd.items():
        if k == 'head.bias':
            assert torch.count_nonzero(v) == 0, 'CLIP projections have no bias'
            continue
        if k == 'head.weight':
            out['visual_projection.weight'] = v
            continue
        if k == 'cls_token':
            out['vision_model.embeddings.class_embedding'] = v.reshape(-1)
            continue
        if k == 'pos_embed':
            out['vision_model.embeddings.position_embedding.weight'] = v[0]
            continue
        if '.attn.qkv.' in k:
            b = 'vision_model.encoder.layers.' + k.split('.')[1] + '.self_attn.'
            for part, name in zip(v.split(dim, dim=0), ('q_proj', 'k_proj', 'v_proj')):
                out[b + name + '.' + k.split('.')[-1]] = part
            continue
        n = k.replace('patch_embed.proj', 'embeddings.patch_embedding').replace('norm_pre', 'pre_layrnorm')
        n = n.replace('blocks.', 'encoder.layers.').replace('.norm1.', '.layer_norm1.').replace('.norm2.', '.layer_norm2.')
        n = n.replace('attn.proj.', 'self_attn.out_proj.')
        if n.startswith('norm.'):
            n = 'post_layernorm.' + n[len('norm.'):]
        out['vision_model.' + n] = v
    return out


def hf_clip_case(case, seed, dtype='F16'):
    """A transformers CLIPModel folder (config.json model_type clip + preprocessor_config.json): QuickGELU image
    tower, bias-free visual_projection, text-tower tensors and the int64 position_ids buffer to ignore."""
    m = clip_tower(seed, dtype)
    d = fresh(case)
    g = torch.Generator().manual_seed(seed)
    tensors = timm_to_hf_clip(m.state_dict(), SMALL['embed_dim'])
    n_tok = tensors['vision_model.embeddings.position_embedding.weight'].shape[0]
    tensors['vision_model.embeddings.position_ids'] = torch.arange(n_tok).unsqueeze(0)
    tensors['logit_scale'] = torch.tensor(4.6052)
    tensors['text_projection.weight'] = torch.randn(8, 16, generator=g)
    tensors['text_model.embeddings.token_embedding.weight'] = torch.randn(40, 16, generator=g)
    dtypes = {k: ('I64' if k.endswith('position_ids') else dtype) for k in tensors}
    write_safetensors(os.path.join(d, 'model.safetensors'), tensors, dtype=dtypes)
    cfg = {'architectures': ['CLIPModel'], 'model_type': 'clip', 'projection_dim': 8,
           'vision_config': {'hidden_size': 16, 'intermediate_size': 32, 'num_hidden_layers': 2,
                             'num_attention_heads': 2, 'image_size': 32, 'patch_size': 8, 'hidden_act': 'quick_gelu',
                             'layer_norm_eps': 1e-5, 'model_type': 'clip_vision_model'},
           'text_config': {'hidden_size': 16, 'vocab_size': 40, 'model_type': 'clip_text_model'}}
    with open(os.path.join(d, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
    pp = {'image_processor_type': 'CLIPImageProcessor', 'do_resize': True, 'size': {'shortest_edge': 32},
          'resample': 3, 'do_center_crop': True, 'crop_size': {'height': 32, 'width': 32}, 'do_normalize': True,
          'image_mean': [0.48145466, 0.4578275, 0.40821073], 'image_std': [0.26862954, 0.26130258, 0.27577711]}
    with open(os.path.join(d, 'preprocessor_config.json'), 'w') as f:
        json.dump(pp, f, indent=2)
    used = sum(v.numel() for k, v in tensors.items() if k.startswith('vision_model.') and not k.endswith('position_ids'))
    used += tensors['visual_projection.weight'].numel() + 8   # + the zero head bias
    save_expected(os.path.join(d, 'expected.safetensors'), expected(m, inputs(seed, 32), [(48, 'hf')]), m,
                  num_params=used)


def timm_to_hf_siglip(sd, dim):
    """The image tower under transformers' SiglipModel names: CLIP's encoder names, the attention-pooling head as
    head.* with nn.MultiheadAttention's packed in_proj (rows q; k; v)."""
    pool = {k: v for k, v in sd.items() if k.startswith('attn_pool.')}
    out = timm_to_hf_clip({k: v for k, v in sd.items() if not k.startswith('attn_pool.')}, dim)
    h = 'vision_model.head.'
    out[h + 'probe'] = pool['attn_pool.latent']
    out[h + 'attention.in_proj_weight'] = torch.cat([pool['attn_pool.q.weight'], pool['attn_pool.kv.weight']])
    out[h + 'attention.in_proj_bias'] = torch.cat([pool['attn_pool.q.bias'], pool['attn_pool.kv.bias']])
    for kind in ('weight', 'bias'):
        out[h + 'attention.out_proj.' + kind] = pool['attn_pool.proj.' + kind]
        out[h + 'layernorm.' + kind] = pool['attn_pool.norm.' + kind]
        out[h + 'mlp.fc1.' + kind] = pool['attn_pool.mlp.fc1.' + kind]
        out[h + 'mlp.fc2.' + kind] = pool['attn_pool.mlp.fc2.' + kind]
    return out


def hf_siglip_case(case, seed, dtype='F16'):
    """A transformers SiglipModel folder: no class token, attention-pooling head, gelu_pytorch_tanh, eps 1e-6;
    the text tower, logit_scale / logit_bias and the int64 position_ids are ignored."""
    m = round_to(randomize(VisionTransformer(num_classes=0, class_token=False, global_pool='map', eps=1e-6,
                                             act_layer='gelu_tanh', **SMALL), seed), dtype)
    d = fresh(case)
    g = torch.Generator().manual_seed(seed)
    tensors = timm_to_hf_siglip(m.state_dict(), SMALL['embed_dim'])
    n_tok = tensors['vision_model.embeddings.position_embedding.weight'].shape[0]
    tensors['vision_model.embeddings.position_ids'] = torch.arange(n_tok).unsqueeze(0)
    tensors['logit_scale'] = torch.tensor([2.3])
    tensors['logit_bias'] = torch.tensor([-10.0])
    tensors['text_model.embeddings.token_embedding.weight'] = torch.randn(40, 16, generator=g)
    dtypes = {k: ('I64' if k.endswith('position_ids') else dtype) for k in tensors}
    write_safetensors(os.path.join(d, 'model.safetensors'), tensors, dtype=dtypes)
    cfg = {'architectures': ['SiglipModel'], 'model_type': 'siglip',
           'vision_config': {'hidden_size': 16, 'intermediate_size': 32, 'num_hidden_layers': 2,
                             'num_attention_heads': 2, 'image_size': 32, 'patch_size': 8,
                             'hidden_act': 'gelu_pytorch_tanh', 'layer_norm_eps': 1e-6, 'model_type': 'siglip_vision_model'},
           'text_config': {'hidden_size': 16, 'vocab_size': 40, 'model_type': 'siglip_text_model'}}
    with open(os.path.join(d, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
    pp = {'image_processor_type': 'SiglipImageProcessor', 'do_resize': True, 'size': {'height': 32, 'width': 32},
          'resample': 3, 'do_rescale': True, 'do_normalize': True, 'image_mean': [0.5, 0.5, 0.5], 'image_std': [0.5, 0.5, 0.5]}
    with open(os.path.join(d, 'preprocessor_config.json'), 'w') as f:
        json.dump(pp, f, indent=2)
    save_expected(os.path.join(d, 'expected.safetensors'), expected(m, inputs(seed, 32), [(48, 'hf')]), m)


def tokens_case(case, seed, dtype='F16', **kwargs):
    """A timm folder whose expected output is forward_features: every token after the last block and the final norm
    (Identity when the model normalises after pooling, fc_norm)."""
    args = dict(SMALL, **kwargs)
    m = round_to(randomize(VisionTransformer(num_classes=10, **args), seed), dtype)
    d = fresh(case)
    write_timm_folder(d, m, architecture='vit_tiny_patch16_224', model_args=m.model_args(), dtype=dtype)
    x = inputs(seed, args['img_size'])
    with torch.no_grad():
        save_expected(os.path.join(d, 'expected.safetensors'), {'input': x, 'tokens': m.forward_features(x)}, m)


def torchvision_case(case, seed):
    torch.manual_seed(seed)
    m = torchvision.models.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=16,
                                             mlp_dim=32, num_classes=7).eval()
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name.endswith('ln_1.weight') or name.endswith('ln_2.weight') or name.endswith('ln.weight'):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.35 * torch.randn(p.shape, generator=g))
    d = fresh(case)
    write_safetensors(os.path.join(d, 'model.safetensors'), m.state_dict())
    x = inputs(seed, 32)
    with torch.no_grad():
        logits = m(x)
        # torchvision has no pre-logits API: features = encoder output, class token
        feats = m.encoder(torch.cat([m.class_token.expand(BATCH, -1, -1), m._process_input(x)], dim=1))[:, 0]
    save_expected(os.path.join(d, 'expected.safetensors'), {'input': x, 'logits': logits, 'features': feats}, m)


def main():
    torch.set_num_threads(1)
    timm_case('timm_plain', 'vit_tiny_patch16_224', 1,
              extra=[(48, 'timm'), (24, 'timm')],
              pretrained_cfg=dict(interpolation='bilinear', crop_pct=0.875, mean=[0.1, 0.2, 0.3], std=[0.4, 0.5, 0.6]))
    timm_case('timm_deit_distilled', 'deit_tiny_distilled_patch16_224', 2, dtype='F16', distilled=True)
    timm_case('timm_deit3', 'deit3_small_patch16_224', 3, dtype='BF16', init_values=1e-6, no_embed_class=True,
              extra=[(48, 'timm')])
    timm_case('timm_avg', 'vit_tiny_patch16_224', 4, dtype='F16', global_pool='avg')
    timm_case('timm_no_qkv_bias', 'vit_tiny_patch16_224', 5, dtype='F16', qkv_bias=False)
    timm_case('timm_gap', 'vit_tiny_patch16_224', 10, dtype='F16', global_pool='avg', class_token=False, fc_norm=False)
    timm_case('timm_bare', 'vit_tiny_patch16_224', 6, folder=False)
    timm_case('timm_max', 'vit_tiny_patch16_224', 13, dtype='F16', global_pool='max')
    timm_case('timm_avgmax', 'vit_tiny_patch16_224', 14, dtype='F16', global_pool='avgmax', class_token=False,
              fc_norm=False)
    timm_case('timm_reg', 'vit_tiny_patch16_224', 15, dtype='F16', reg_tokens=2, no_embed_class=True, init_values=0.1)
    timm_case('timm_reg_gap', 'vit_tiny_patch16_224', 16, dtype='F16', reg_tokens=3, class_token=False, global_pool='avg')
    timm_case('timm_map', 'vit_tiny_patch16_224', 17, dtype='F16', global_pool='map', class_token=False)
    timm_case('timm_map_gelu_tanh', 'vit_tiny_patch16_224', 18, dtype='F16', global_pool='map', class_token=False,
              act_layer='gelu_tanh')
    # CLIP image towers: pre_norm (norm_pre, no patch-embedding bias), LayerNorm eps 1e-5 and QuickGELU, all implied
    # by the architecture name; and pre_norm given explicitly in model_args on a plain ViT (exact GELU, eps 1e-6)
    timm_case('timm_clip_quickgelu', 'vit_base_patch16_clip_quickgelu_224', 19, dtype='F16', pre_norm=True, eps=1e-5,
              act_layer='quick_gelu', implied=('pre_norm', 'act_layer'),
              pretrained_cfg={'mean': [0.48145466, 0.4578275, 0.40821073], 'std': [0.26862954, 0.26130258, 0.27577711]})
    timm_case('timm_clip_pre_norm', 'vit_tiny_patch16_224', 20, dtype='F16', pre_norm=True, extra=[(48, 'timm')])
    open_clip_case('open_clip_quickgelu', 21)
    hf_clip_case('hf_clip_quickgelu', 22)
    hf_siglip_case('hf_siglip', 23)
    tokens_case('timm_tokens_reg', 24, reg_tokens=2, no_embed_class=True, init_values=0.1)   # final norm on every token
    tokens_case('timm_tokens_avg', 25, global_pool='avg')                                    # fc_norm: tokens unnormalised
    hf_case('hf_vit', 'vit', 7, extra=[(48, 'hf')])
    hf_case('hf_deit_teacher', 'deit', 8, distilled=True)
    hf_variant_case('hf_deit_single_head', 11, 'deit_single_head')
    hf_variant_case('hf_vit_base_model', 12, 'base_model')
    torchvision_case('torchvision_vit', 9)
    total = 0
    for root, _, files in os.walk(OUT):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    print('fixtures written to', OUT, '(%d KB)' % (total // 1024))


if __name__ == '__main__':
    main()
