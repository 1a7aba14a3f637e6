package dev.vitesse.model.config;

import dev.vitesse.kernels.Activation;

/** Mutable staging area for a {@link VitConfig}: defaults, then model_args, then user overrides. */
final class ConfigBuilder {
    String architecture;
    CheckpointLayout layout;
    int imageSize, patchSize, inChans, embedDim, depth, numHeads, numClasses, regTokens;
    double mlpRatio;
    boolean qkvBias, layerScale, classToken, distToken, headDist, noEmbedClass, preNorm;
    Activation act;
    Pooling pooling;
    Boolean fcNorm;   // null: timm default (true iff avg, max or avgmax pooling)
    float eps;

    ConfigBuilder(VitConfig c) {
        architecture = c.architecture();
        layout = c.layout();
        imageSize = c.imageSize();
        patchSize = c.patchSize();
        inChans = c.inChans();
        embedDim = c.embedDim();
        depth = c.depth();
        numHeads = c.numHeads();
        numClasses = c.numClasses();
        mlpRatio = (double) c.mlpHidden() / c.embedDim();
        qkvBias = c.qkvBias();
        layerScale = c.layerScale();
        classToken = c.classToken();
        distToken = c.distToken();
        regTokens = c.regTokens();
        headDist = c.headDist();
        noEmbedClass = c.noEmbedClass();
        pooling = c.pooling();
        fcNorm = null;
        eps = c.eps();
        act = c.act();
        preNorm = c.preNorm();
    }

    VitConfig build() {
        boolean fc = fcNorm != null ? fcNorm : pooling.overPatchTokens(); // timm's use_fc_norm default
        // timm: mlp_hidden_dim = int(dim * mlp_ratio)
        int hidden = (int) (embedDim * mlpRatio + 1e-9);
        return new VitConfig(architecture, layout, imageSize, patchSize, inChans, embedDim, depth, numHeads, hidden,
                qkvBias, layerScale, classToken, distToken, regTokens, headDist, noEmbedClass, pooling, fc, eps, act, preNorm,
                numClasses);
    }
}
