package dev.vitesse.model.config;

import java.util.Locale;

/** timm {@code global_pool}: how the token sequence becomes one feature vector. */
public enum Pooling {
    /** The class token (token 0), after the final norm. */
    TOKEN,
    /** Mean of the patch tokens (prefix tokens excluded), then {@code fc_norm}. */
    AVG;

    /** Parses a timm global_pool string ("token", "avg"; "" means no pooling and is not supported). */
    public static Pooling parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "token" -> TOKEN;
            case "avg" -> AVG;
            default -> throw new IllegalArgumentException("unsupported global_pool '" + s + "' (supported: token, avg)");
        };
    }

    /** The timm spelling. */
    public String timmName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
