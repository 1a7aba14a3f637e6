package dev.vitesse.model;

import dev.vitesse.model.config.PreprocessConfig;
import dev.vitesse.model.config.VitConfig;

/**
 * What {@code vitesse info} prints.
 *
 * @param source     where the model came from (path, format)
 * @param config     full architecture description (ViT / DeiT; null for other families)
 * @param parameters number of parameters (as PyTorch counts them)
 * @param preprocess preprocessing the model expects
 * @param summary    one-line description for families without a {@code VitConfig} (Swin, PVT, MLP-Mixer), else null
 */
public record ModelInfo(String source, VitConfig config, long parameters, PreprocessConfig preprocess, String summary) {

    /** ViT / DeiT: everything is in {@code config}. */
    public ModelInfo(String source, VitConfig config, long parameters, PreprocessConfig preprocess) {
        this(source, config, parameters, preprocess, null);
    }

    @Override
    public String toString() {
        if (config == null) {  // other families (Swin, PVT, MLP-Mixer): config is null, summary describes the model
            return "architecture: " + summary + "\nsource: " + source + "\n" + String.format("parameters: %,d%n", parameters)
                    + "preprocessing: " + preprocess;
        }
        VitConfig c = config;
        return "architecture: " + c.architecture() + " (" + c.layout().name().toLowerCase(java.util.Locale.ROOT) + " layout)\n"
                + "source: " + source + "\n"
                + String.format("parameters: %,d%n", parameters)
                + "input: " + c.inChans() + "x" + c.imageSize() + "x" + c.imageSize() + ", patch " + c.patchSize()
                + " (" + c.numPatches() + " patches + " + c.numPrefixTokens() + " prefix tokens)\n"
                + "dim " + c.embedDim() + ", depth " + c.depth() + ", heads " + c.numHeads() + ", mlp " + c.mlpHidden()
                + (c.act() != dev.vitesse.kernels.Activation.GELU ? " (" + c.act().timmName() + ")" : "") + ", qkv bias " + c.qkvBias() + ", layer scale " + c.layerScale() + ", no_embed_class " + c.noEmbedClass()
                + (c.preNorm() ? ", pre_norm" : "")
                + ", eps " + c.eps() + "\n"
                + "head: " + (c.numClasses() == 0 ? "none (features)"
                        : c.headIsImageProjection() ? "image projection to " + c.numClasses() + " dims" : c.numClasses() + " classes")
                + (c.headDist() ? ", distilled (mean of head and head_dist)" : ", pooling " + c.pooling().timmName()
                + (c.fcNorm() ? " + fc_norm" : "")) + "\n"
                + "preprocessing: " + preprocess;
    }
}
