package dev.vitesse.model.config;

import dev.vitesse.kernels.Activation;

/**
 * Complete shape description of a ViT / DeiT model in the canonical (timm-like) layout.
 *
 * @param architecture name for display (e.g. {@code vit_base_patch16_224}, {@code torchvision:vit_b_16})
 * @param layout       naming dialect of the checkpoint (also: pos-embed resampling rule)
 * @param imageSize    square input resolution the model runs at
 * @param patchSize    patch size (stride of the patch conv)
 * @param inChans      input channels
 * @param embedDim     token width D
 * @param depth        number of blocks
 * @param numHeads     attention heads (D % heads == 0)
 * @param mlpHidden    MLP hidden width
 * @param qkvBias      qkv projection has a bias
 * @param layerScale   blocks have LayerScale ({@code ls1.gamma}, {@code ls2.gamma}; DeiT-3)
 * @param classToken   a class token is prepended
 * @param distToken    a distillation token follows the class token (DeiT)
 * @param regTokens    register tokens after the class (and distillation) token (timm {@code reg_tokens}, e.g. DINOv2
 *                     with registers); like the class token they are prefix tokens: left out of pooling
 * @param headDist     DeiT distilled head: logits = (head(token0) + head_dist(token1)) / 2
 * @param noEmbedClass pos_embed covers patch tokens only and is added before the prefix tokens (DeiT-3)
 * @param pooling      timm global_pool (ignored when headDist)
 * @param fcNorm       norm after pooling ({@code fc_norm}) instead of the final norm on all tokens
 * @param eps          LayerNorm epsilon
 * @param act          the MLPs' activation (timm {@code act_layer}: exact GELU, {@code gelu_tanh} or {@code quick_gelu})
 * @param preNorm      a LayerNorm ({@code norm_pre}) on the tokens after the position embedding, before the blocks;
 *                     the patch embedding then has no bias (timm {@code pre_norm=True}, CLIP image towers)
 * @param numClasses   classifier outputs; 0 = no head (forward returns the pooled features)
 */
public record VitConfig(String architecture, CheckpointLayout layout, int imageSize, int patchSize, int inChans,
                        int embedDim, int depth, int numHeads, int mlpHidden, boolean qkvBias, boolean layerScale,
                        boolean classToken, boolean distToken, int regTokens, boolean headDist, boolean noEmbedClass,
                        Pooling pooling, boolean fcNorm, float eps, Activation act, boolean preNorm,
                        int numClasses) {

    public VitConfig {
        String a = architecture;
        require(imageSize > 0, a, "image size must be > 0, found " + imageSize);
        require(patchSize > 0, a, "patch size must be > 0, found " + patchSize);
        require(imageSize % patchSize == 0, a, "image size " + imageSize + " is not a multiple of patch size " + patchSize);
        require(inChans > 0, a, "in_chans must be > 0, found " + inChans);
        require(embedDim > 0 && depth >= 0 && numHeads > 0 && mlpHidden > 0, a,
                "dims must be positive: dim " + embedDim + ", depth " + depth + ", heads " + numHeads + ", mlp " + mlpHidden);
        require(embedDim % numHeads == 0, a, "embed dim " + embedDim + " is not divisible by heads " + numHeads);
        require(numClasses >= 0, a, "num_classes must be >= 0, found " + numClasses);
        require(!distToken || classToken, a, "a distillation token needs a class token");
        require(regTokens >= 0 && regTokens <= 1024, a, "reg_tokens must be in [0, 1024], found " + regTokens);
        require(!headDist || distToken, a, "a distillation head needs a distillation token");
        require(pooling != Pooling.TOKEN || classToken, a, "token pooling needs a class token");
        require(eps > 0, a, "layer norm eps must be > 0, found " + eps);
        require(act != null, a, "activation must not be null");
        long tokens = (long) (imageSize / patchSize) * (imageSize / patchSize) + 2 + regTokens;
        require(tokens < 1 << 20, a, "too many tokens: " + tokens);
        // one image's widest activation must fit a Java array (batches are chunked below that)
        long widest = tokens * Math.max(Math.max(3L * embedDim, mlpHidden), (long) inChans * patchSize * patchSize);
        require(widest < ActivationLimit.MAX_FLOATS, a, "one image needs " + widest + " floats of activations; too large");
    }

    private static void require(boolean ok, String arch, String msg) {
        if (!ok) throw new IllegalArgumentException(arch + ": " + msg);
    }

    /**
     * True for CLIP image towers (open_clip / HF CLIP layouts, timm {@code vit_*_clip_*}): the head is the projection
     * into the joint image-text space, not a classifier.
     */
    public boolean headIsImageProjection() {
        return layout == CheckpointLayout.OPEN_CLIP || layout == CheckpointLayout.HF_CLIP || architecture.contains("_clip_");
    }

    /** Patches per side. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Number of patch tokens. */
    public int numPatches() {
        return gridSize() * gridSize();
    }

    /** Class, distillation and register tokens. */
    public int numPrefixTokens() {
        return (classToken ? 1 : 0) + (distToken ? 1 : 0) + regTokens;
    }

    /** Sequence length inside the blocks. */
    public int numTokens() {
        return numPrefixTokens() + numPatches();
    }

    /** Rows of pos_embed. */
    public int posEmbedLength() {
        return noEmbedClass ? numPatches() : numTokens();
    }

    /** Per-head width. */
    public int headDim() {
        return embedDim / numHeads;
    }

    /** Same config with fields replaced. */
    public VitConfig withImageSize(int size) {
        return new VitConfig(architecture, layout, size, patchSize, inChans, embedDim, depth, numHeads, mlpHidden,
                qkvBias, layerScale, classToken, distToken, regTokens, headDist, noEmbedClass, pooling, fcNorm, eps, act, preNorm, numClasses);
    }

    /** Same config with another number of classes. */
    public VitConfig withNumClasses(int n) {
        return new VitConfig(architecture, layout, imageSize, patchSize, inChans, embedDim, depth, numHeads, mlpHidden,
                qkvBias, layerScale, classToken, distToken, regTokens, headDist, noEmbedClass, pooling, fcNorm, eps, act, preNorm, n);
    }
}
