package dev.vitesse.model.vit;

import dev.vitesse.kernels.Parallel;
import dev.vitesse.kernels.Profiler;

/**
 * Patch embedding: the p x p stride-p conv as one GEMM. Each patch is unrolled (im2col) into a row of
 * {@code C*p*p} values in the conv weight's (c, ky, kx) order, so the conv weight [D, C, p, p] is used
 * as a plain [D, C*p*p] linear weight.
 */
final class PatchEmbed {
    final int inChans, patch, grid, dim;
    private final Linear proj;

    PatchEmbed(int inChans, int patch, int grid, Linear proj) {
        this.inChans = inChans;
        this.patch = patch;
        this.grid = grid;
        this.dim = proj.out;
        this.proj = proj;
    }

    int numPatches() {
        return grid * grid;
    }

    /** Values per unrolled patch: C * p * p. */
    int patchLength() {
        return inChans * patch * patch;
    }

    /**
     * NCHW images (batch x C x S x S, S = grid*patch) -> patch tokens [batch*numPatches][dim] in {@code out}, via
     * {@code cols} (at least batch*numPatches x patchLength floats). Returns {@code out}.
     */
    float[] forward(float[] images, int batch, float[] cols, float[] out) {
        int n = numPatches(), kk = patchLength(), size = grid * patch;
        long t = Profiler.start();
        Parallel.forEach(batch, b -> im2col(images, b * inChans * size * size, size, cols, b * n * kk));
        Profiler.stop(Profiler.Kind.DATA_MOVEMENT, t);
        proj.apply(batch * n, cols, 0, kk, out, 0, dim);
        return out;
    }

    private void im2col(float[] img, int imgOff, int size, float[] cols, int colOff) {
        int kk = inChans * patch * patch;
        for (int gy = 0; gy < grid; gy++) {
            for (int gx = 0; gx < grid; gx++) {
                int row = colOff + (gy * grid + gx) * kk;
                for (int c = 0; c < inChans; c++) {
                    for (int ky = 0; ky < patch; ky++) {
                        int src = imgOff + (c * size + gy * patch + ky) * size + gx * patch;
                        System.arraycopy(img, src, cols, row + (c * patch + ky) * patch, patch);
                    }
                }
            }
        }
    }

    long params() {
        return proj.params();
    }
}
