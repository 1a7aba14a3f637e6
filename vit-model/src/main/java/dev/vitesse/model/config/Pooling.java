package dev.vitesse.model.config;

import java.util.Locale;

/**
 * timm {@code global_pool}: how the token sequence becomes one feature vector. {@link #AVG}, {@link #MAX} and
 * {@link #AVGMAX} reduce over the patch tokens only (prefix tokens excluded, as timm's {@code global_pool_nlc}) and
 * are followed by {@code fc_norm} unless the config says {@code fc_norm: false} (timm: {@code use_fc_norm =
 * global_pool in ('avg', 'avgmax', 'max')}); {@link #TOKEN} and {@link #MAP} read the final norm's output.
 */
public enum Pooling {
    /** The class token (token 0), after the final norm. */
    TOKEN,
    /** Mean of the patch tokens. */
    AVG,
    /** Channel-wise maximum over the patch tokens. */
    MAX,
    /** {@code 0.5 * (max + mean)} over the patch tokens. */
    AVGMAX,
    /** Attention pooling with a learned latent query over all tokens (timm {@code AttentionPoolLatent}, SigLIP). */
    MAP;

    /** Parses a timm global_pool string ("token", "avg", "max", "avgmax", "map"). */
    public static Pooling parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "token" -> TOKEN;
            case "avg" -> AVG;
            case "max" -> MAX;
            case "avgmax" -> AVGMAX;
            case "map" -> MAP;
            case "" -> throw new IllegalArgumentException(
                    "unsupported global_pool '' (no pooling: the model returns all tokens; supported: token, avg, max, avgmax, map; "
                    + "for every token's features load it with a pooling, LoadOptions.withGlobalPool, and call VisionModel.tokens)");
            default -> throw new IllegalArgumentException("unsupported global_pool '" + s + "' (supported: token, avg, max, avgmax, map)");
        };
    }

    /** True when the features are a reduction over the patch tokens (avg, max, avgmax). */
    public boolean overPatchTokens() {
        return this == AVG || this == MAX || this == AVGMAX;
    }

    /** The timm spelling. */
    public String timmName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
