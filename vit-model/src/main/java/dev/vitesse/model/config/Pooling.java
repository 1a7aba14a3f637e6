package dev.vitesse.model.config;

import java.util.Locale;

/**
 * timm {@code global_pool}: how the token sequence becomes one feature vector. Every kind but {@link #TOKEN}
 * reduces over the patch tokens only (prefix tokens excluded, as timm's {@code global_pool_nlc}) and is followed by
 * {@code fc_norm} unless the config says {@code fc_norm: false} (timm: {@code use_fc_norm = global_pool in ('avg',
 * 'avgmax', 'max')}).
 */
public enum Pooling {
    /** The class token (token 0), after the final norm. */
    TOKEN,
    /** Mean of the patch tokens. */
    AVG,
    /** Channel-wise maximum over the patch tokens. */
    MAX,
    /** {@code 0.5 * (max + mean)} over the patch tokens. */
    AVGMAX;

    /** Parses a timm global_pool string ("token", "avg", "max", "avgmax"). */
    public static Pooling parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "token" -> TOKEN;
            case "avg" -> AVG;
            case "max" -> MAX;
            case "avgmax" -> AVGMAX;
            case "map" -> throw new IllegalArgumentException(
                    "unsupported global_pool 'map' (attention pooling with a learned probe, e.g. SigLIP; supported: token, avg, max, avgmax)");
            case "" -> throw new IllegalArgumentException(
                    "unsupported global_pool '' (no pooling: the model returns all tokens; supported: token, avg, max, avgmax)");
            default -> throw new IllegalArgumentException("unsupported global_pool '" + s + "' (supported: token, avg, max, avgmax)");
        };
    }

    /** True when the features are reduced over the patch tokens (everything but {@link #TOKEN}). */
    public boolean overPatchTokens() {
        return this != TOKEN;
    }

    /** The timm spelling. */
    public String timmName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
