package dev.vitesse.model;

/**
 * Attention probabilities of every block: {@code probs[layer]} is [batch][heads][tokens][tokens] row-major
 * (rows = queries, each row sums to 1). Token order: prefix tokens (class, then distillation, then register tokens) then patches
 * row by row ({@code gridSize x gridSize}).
 */
public record AttentionMaps(int layers, int batch, int heads, int tokens, int prefixTokens, int gridSize,
                            float[][] probs) {

    /** Probability that query token {@code i} attends to key token {@code j}. */
    public float get(int layer, int b, int head, int i, int j) {
        return probs[layer][(((b * heads) + head) * tokens + i) * tokens + j];
    }

    /** Offset of the [tokens][tokens] map of (b, head) inside {@code probs[layer]}. */
    public int offset(int b, int head) {
        return ((b * heads) + head) * tokens * tokens;
    }
}
