package dev.vitesse.model;

import dev.vitesse.kernels.WeightFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How to interpret a checkpoint: architecture name (needed for a bare {@code .safetensors}) and explicit
 * overrides applied last, after the folder's config / the architecture defaults (like timm
 * {@code create_model(name, **kwargs)}). Immutable; each {@code withX} returns a copy.
 *
 * <pre>{@code
 * var opts = LoadOptions.defaults().withArch("deit_small_patch16_224").withImageSize(384);
 * }</pre>
 */
public final class LoadOptions {
    private final String arch;
    private final Integer imageSize, embedDim, depth, numHeads, patchSize, numClasses, inChans;
    private final Double mlpRatio;
    private final Boolean qkvBias;
    private final String globalPool;
    private final WeightFormat weights;

    private LoadOptions(String arch, Integer imageSize, Integer embedDim, Integer depth, Integer numHeads,
                        Integer patchSize, Integer numClasses, Integer inChans, Double mlpRatio, Boolean qkvBias,
                        String globalPool) {
        this(arch, imageSize, embedDim, depth, numHeads, patchSize, numClasses, inChans, mlpRatio, qkvBias, globalPool,
                WeightFormat.FP32);
    }

    private LoadOptions(String arch, Integer imageSize, Integer embedDim, Integer depth, Integer numHeads,
                        Integer patchSize, Integer numClasses, Integer inChans, Double mlpRatio, Boolean qkvBias,
                        String globalPool, WeightFormat weights) {
        this.weights = weights;
        this.arch = arch;
        this.imageSize = imageSize;
        this.embedDim = embedDim;
        this.depth = depth;
        this.numHeads = numHeads;
        this.patchSize = patchSize;
        this.numClasses = numClasses;
        this.inChans = inChans;
        this.mlpRatio = mlpRatio;
        this.qkvBias = qkvBias;
        this.globalPool = globalPool;
    }

    /** No architecture name, no overrides. */
    public static LoadOptions defaults() {
        return new LoadOptions(null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Shortcut for {@code defaults().withArch(name)}. */
    public static LoadOptions arch(String name) {
        return defaults().withArch(name);
    }

    /**
     * Architecture name: a timm name ({@code vit_base_patch16_224}, {@code timm:deit_small_patch16_224},
     * a {@code .tag} suffix is ignored) or {@code torchvision:vit_b_16}. For a folder it replaces the config's.
     */
    public LoadOptions withArch(String name) {
        return new LoadOptions(name, imageSize, embedDim, depth, numHeads, patchSize, numClasses, inChans, mlpRatio, qkvBias, globalPool, weights);
    }

    /** Input resolution to run at; position embeddings are resampled (timm/HF rule) when it differs from the checkpoint's. */
    public LoadOptions withImageSize(int v) {
        return new LoadOptions(arch, v, embedDim, depth, numHeads, patchSize, numClasses, inChans, mlpRatio, qkvBias, globalPool, weights);
    }

    /** Token width override. */
    public LoadOptions withEmbedDim(int v) {
        return new LoadOptions(arch, imageSize, v, depth, numHeads, patchSize, numClasses, inChans, mlpRatio, qkvBias, globalPool, weights);
    }

    /** Number of blocks override. */
    public LoadOptions withDepth(int v) {
        return new LoadOptions(arch, imageSize, embedDim, v, numHeads, patchSize, numClasses, inChans, mlpRatio, qkvBias, globalPool, weights);
    }

    /** Number of heads override. */
    public LoadOptions withNumHeads(int v) {
        return new LoadOptions(arch, imageSize, embedDim, depth, v, patchSize, numClasses, inChans, mlpRatio, qkvBias, globalPool, weights);
    }

    /** Patch size override. */
    public LoadOptions withPatchSize(int v) {
        return new LoadOptions(arch, imageSize, embedDim, depth, numHeads, v, numClasses, inChans, mlpRatio, qkvBias, globalPool, weights);
    }

    /** Number of classes override (0 = no head). */
    public LoadOptions withNumClasses(int v) {
        return new LoadOptions(arch, imageSize, embedDim, depth, numHeads, patchSize, v, inChans, mlpRatio, qkvBias, globalPool, weights);
    }

    /** Input channels override. */
    public LoadOptions withInChans(int v) {
        return new LoadOptions(arch, imageSize, embedDim, depth, numHeads, patchSize, numClasses, v, mlpRatio, qkvBias, globalPool, weights);
    }

    /** MLP hidden width = round-down(dim * ratio). */
    public LoadOptions withMlpRatio(double v) {
        return new LoadOptions(arch, imageSize, embedDim, depth, numHeads, patchSize, numClasses, inChans, v, qkvBias, globalPool, weights);
    }

    /** Whether the qkv projection has a bias. */
    public LoadOptions withQkvBias(boolean v) {
        return new LoadOptions(arch, imageSize, embedDim, depth, numHeads, patchSize, numClasses, inChans, mlpRatio, v, globalPool, weights);
    }

    /** timm global_pool: "token", "avg", "max" or "avgmax" (the last three imply fc_norm, as in timm). */
    public LoadOptions withGlobalPool(String v) {
        return new LoadOptions(arch, imageSize, embedDim, depth, numHeads, patchSize, numClasses, inChans, mlpRatio, qkvBias, v, weights);
    }

    /**
     * How the linear-layer weights are stored after loading: {@link WeightFormat#FP32} (default, exact) or
     * {@link WeightFormat#BF16} (rounded to bfloat16, half the weight memory; arithmetic stays f32). Applies to
     * every family's linear layers and GEMM-lowered convolutions; biases, norms, embeddings stay f32.
     *
     * @throws IllegalArgumentException if {@code format} is null
     */
    public LoadOptions withWeights(WeightFormat format) {
        if (format == null) throw new IllegalArgumentException("weights format must not be null");
        return new LoadOptions(arch, imageSize, embedDim, depth, numHeads, patchSize, numClasses, inChans, mlpRatio, qkvBias,
                globalPool, format);
    }

    /** Weight storage format (default {@link WeightFormat#FP32}). */
    public WeightFormat weights() { return weights; }

    public Optional<String> arch() { return Optional.ofNullable(arch); }
    public Optional<Integer> imageSize() { return Optional.ofNullable(imageSize); }
    public Optional<Integer> embedDim() { return Optional.ofNullable(embedDim); }
    public Optional<Integer> depth() { return Optional.ofNullable(depth); }
    public Optional<Integer> numHeads() { return Optional.ofNullable(numHeads); }
    public Optional<Integer> patchSize() { return Optional.ofNullable(patchSize); }
    public Optional<Integer> numClasses() { return Optional.ofNullable(numClasses); }
    public Optional<Integer> inChans() { return Optional.ofNullable(inChans); }
    public Optional<Double> mlpRatio() { return Optional.ofNullable(mlpRatio); }
    public Optional<Boolean> qkvBias() { return Optional.ofNullable(qkvBias); }
    public Optional<String> globalPool() { return Optional.ofNullable(globalPool); }

    /** True when any shape override is set. */
    public boolean hasShapeOverrides() {
        return embedDim != null || depth != null || numHeads != null || patchSize != null || mlpRatio != null
                || qkvBias != null || globalPool != null || inChans != null;
    }

    @Override
    public String toString() {
        List<String> s = new ArrayList<>();
        if (arch != null) s.add("arch=" + arch);
        if (imageSize != null) s.add("imageSize=" + imageSize);
        if (embedDim != null) s.add("embedDim=" + embedDim);
        if (depth != null) s.add("depth=" + depth);
        if (numHeads != null) s.add("numHeads=" + numHeads);
        if (patchSize != null) s.add("patchSize=" + patchSize);
        if (numClasses != null) s.add("numClasses=" + numClasses);
        if (inChans != null) s.add("inChans=" + inChans);
        if (mlpRatio != null) s.add("mlpRatio=" + mlpRatio);
        if (qkvBias != null) s.add("qkvBias=" + qkvBias);
        if (globalPool != null) s.add("globalPool=" + globalPool);
        if (weights != WeightFormat.FP32) s.add("weights=" + weights.cliName());
        return "LoadOptions" + s;
    }
}
