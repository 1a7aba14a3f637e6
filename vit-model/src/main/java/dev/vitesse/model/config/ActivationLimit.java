package dev.vitesse.model.config;

import java.util.Locale;

/**
 * The bound every architecture's config puts on one image's widest activation, checked when the config is built:
 * an image size that needs more is a mistake, refused at load instead of exhausting the heap (or minutes of setup)
 * later, and anything below it fits one Java array.
 */
public final class ActivationLimit {
    private ActivationLimit() {}

    /** Floats of one image's widest activation (or weight, for ffvit's token-mixing MLP). */
    public static final double MAX_FLOATS = 1L << 30;

    /**
     * Throws {@code "<arch>: <subject> needs <floats> floats of activations per image; too large"} when
     * {@code floats} reaches {@link #MAX_FLOATS}; computed in double by the callers, whose products overflow long for
     * an image size near Integer.MAX_VALUE.
     */
    public static void check(String architecture, String subject, double floats) {
        if (floats >= MAX_FLOATS) {
            throw new IllegalArgumentException(architecture + ": " + subject + " needs "
                    + String.format(Locale.ROOT, "%.3g", floats) + " floats of activations per image; too large");
        }
    }
}
