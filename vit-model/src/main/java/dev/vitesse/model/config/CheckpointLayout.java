package dev.vitesse.model.config;

/** Which library's tensor names a checkpoint uses; also decides how position embeddings are resampled. */
public enum CheckpointLayout {
    /** timm ({@code pos_embed} resampled bicubic with antialias, prefix tokens kept). */
    TIMM,
    /** Hugging Face transformers ({@code interpolate_pos_encoding}: bicubic, no antialias). */
    HF,
    /** torchvision (refuses other resolutions). */
    TORCHVISION,
    /**
     * OpenAI CLIP / open_clip image tower ({@code visual.*}; the text tower is ignored), mapped as timm's
     * {@code _convert_openai_clip} does; {@code pos_embed} resampled like timm.
     */
    OPEN_CLIP,
    /**
     * Hugging Face CLIP ({@code vision_model.*} + {@code visual_projection}; the text tower is ignored); position
     * embeddings resampled like HF ViTs.
     */
    HF_CLIP,
    /**
     * Hugging Face SigLIP ({@code vision_model.*} with its attention-pooling head; the text tower is ignored);
     * position embeddings resampled like HF ViTs.
     */
    HF_SIGLIP
}
