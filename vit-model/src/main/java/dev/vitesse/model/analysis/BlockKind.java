package dev.vitesse.model.analysis;

/** What produced a tapped feature map; the analysis plots colour blocks by kind. */
public enum BlockKind {
    /** Patch/position embedding (token models' first map). */
    EMBEDDING,
    /** Convolutional block or conv stem. */
    CONV,
    /** Self-attention (sub-)block. */
    ATTENTION,
    /** Channel MLP (sub-)block. */
    MLP,
    /** Token-mixing MLP (feed-forward-only ViT, MLP-Mixer): the MLP that plays attention's role. */
    TOKEN_MLP
}
