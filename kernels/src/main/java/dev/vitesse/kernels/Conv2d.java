package dev.vitesse.kernels;

import dev.vitesse.kernels.gemm.ThreadScratch;

/**
 * Dense 2-D convolution (groups = 1) as im2col + GEMM, one image per call.
 *
 * <p><b>Layouts.</b> The weight is given in PyTorch's {@code nn.Conv2d.weight} layout
 * {@code [cout][cin][kh][kw]} and reordered once at construction. The input is either
 * {@link InputLayout#NCHW} ({@code [cin][h][w]}, e.g. an image) or {@link InputLayout#NHWC}
 * (channels-last, {@code [h*w][cin]}, i.e. the token layout of transformer models). The output is
 * always channels-last: {@code y[(oy*outW + ox)*ldy + co]}, which is the token layout the
 * transformer blocks consume ({@code ldy >= cout} lets a caller write into a wider buffer).
 *
 * <p><b>Algorithm.</b> The receptive fields of a chunk of output pixels are gathered into a
 * {@code [rows][K]} matrix ({@code K = cin*kh*kw}; zero padding materialised) and multiplied by
 * the reordered weight {@code [cout][K]}, packed once at construction into a {@link PackedMatrix};
 * bias, GELU and residual accumulation ride on the GEMM's {@link Epilogue}. Chunks bound the im2col buffer to
 * {@value #IM2COL_CHUNK_FLOATS} floats. A 1x1, stride-1, unpadded convolution on channels-last
 * input is a plain GEMM and skips im2col. The column order inside K is {@code (ky, kx, ci)} for
 * NHWC input (contiguous channel runs are copied with {@code System.arraycopy}) and
 * {@code (ci, ky, kx)} for NCHW input (PyTorch's own order).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Conv2d {
    /** Memory layout of the input feature map. */
    public enum InputLayout {
        /** {@code [cin][h][w]} (PyTorch's NCHW for one image). */
        NCHW,
        /** {@code [h][w][cin]} = {@code [h*w][cin]} (channels-last / token layout). */
        NHWC
    }

    /** Upper bound on the im2col scratch buffer per call (floats). */
    static final int IM2COL_CHUNK_FLOATS = 1 << 18;
    /** Output pixels per task below which the im2col chunks are not spread over threads (the GEMM still is). */
    private static final int MIN_TASK_ROWS = 48;

    private final int cin, cout, kh, kw, strideH, strideW, padH, padW;
    private final InputLayout layout;
    /** [cout][K] with K in the column order of {@link #layout}, packed. */
    private final PackedMatrix weight;
    private final float[] bias; // nullable
    private final Epilogue overwrite, accumulate;

    private Conv2d(int cin, int cout, int kh, int kw, int strideH, int strideW, int padH, int padW,
                   InputLayout layout, float[] weight, float[] bias, WeightFormat format) {
        this.cin = cin;
        this.cout = cout;
        this.kh = kh;
        this.kw = kw;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padH = padH;
        this.padW = padW;
        this.layout = layout;
        this.weight = PackedMatrix.packWeight(weight, 0, cout, cin * kh * kw, format);
        this.bias = bias;
        this.overwrite = bias == null ? Epilogue.NONE : Epilogue.NONE.withBias(bias);
        this.accumulate = overwrite.accumulate();
    }

    /**
     * Square-kernel convenience: {@code kernel x kernel}, same stride and padding on both axes.
     *
     * @param weight PyTorch layout {@code [cout][cin][kernel][kernel]} starting at index 0
     * @param bias   length {@code cout}, or null
     */
    public static Conv2d of(float[] weight, float[] bias, int cin, int cout, int kernel, int stride, int padding,
                            InputLayout layout) {
        return of(weight, 0, bias, cin, cout, kernel, kernel, stride, stride, padding, padding, layout);
    }

    /**
     * General constructor.
     *
     * @param weight    PyTorch layout {@code [cout][cin][kh][kw]} at {@code weightOff}
     * @param bias      length {@code cout}, or null (copied)
     * @param layout    layout of the input feature maps passed to {@link #apply}
     */
    public static Conv2d of(float[] weight, int weightOff, float[] bias, int cin, int cout, int kh, int kw,
                            int strideH, int strideW, int padH, int padW, InputLayout layout) {
        return of(weight, weightOff, bias, cin, cout, kh, kw, strideH, strideW, padH, padW, layout, WeightFormat.FP32);
    }

    /** Square-kernel convenience with the packed weight stored in {@code format} (see {@link PackedMatrix#packWeightBf16}). */
    public static Conv2d of(float[] weight, float[] bias, int cin, int cout, int kernel, int stride, int padding,
                            InputLayout layout, WeightFormat format) {
        return of(weight, 0, bias, cin, cout, kernel, kernel, stride, stride, padding, padding, layout, format);
    }

    /**
     * General constructor with the packed (im2col GEMM) weight stored in {@code format}: bf16 halves its memory,
     * arithmetic stays f32.
     */
    public static Conv2d of(float[] weight, int weightOff, float[] bias, int cin, int cout, int kh, int kw,
                            int strideH, int strideW, int padH, int padW, InputLayout layout, WeightFormat format) {
        Checks.notNull("weight", weight);
        if (format == null) throw new IllegalArgumentException("format must not be null");
        Checks.notNull("layout", layout);
        if (cin < 1 || cout < 1 || kh < 1 || kw < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("bad conv2d geometry: cin=" + cin + " cout=" + cout + " kernel=" + kh + "x" + kw
                    + " stride=" + strideH + "x" + strideW + " pad=" + padH + "x" + padW);
        }
        int k = Checks.fitsInt("conv2d reduction size cin*kh*kw", (long) cin * kh * kw);
        if (weightOff < 0 || (long) weightOff + (long) cout * k > weight.length) {
            throw new IllegalArgumentException("conv2d weight too short: need " + cout + "x" + cin + "x" + kh + "x" + kw
                    + " floats at offset " + weightOff + ", array has " + weight.length);
        }
        if (bias != null && bias.length != cout) {
            throw new IllegalArgumentException("conv2d bias length " + bias.length + " != cout " + cout);
        }
        float[] w = new float[cout * k];
        if (layout == InputLayout.NCHW) {
            System.arraycopy(weight, weightOff, w, 0, cout * k);
        } else {
            // [co][ci][ky][kx] -> [co][ky][kx][ci]
            for (int co = 0; co < cout; co++) {
                for (int ci = 0; ci < cin; ci++) {
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            w[co * k + (ky * kw + kx) * cin + ci] = weight[weightOff + ((co * cin + ci) * kh + ky) * kw + kx];
                        }
                    }
                }
            }
        }
        return new Conv2d(cin, cout, kh, kw, strideH, strideW, padH, padW, layout, w,
                bias == null ? null : bias.clone(), format);
    }

    public int inChannels() { return cin; }
    public int outChannels() { return cout; }
    public int kernelH() { return kh; }
    public int kernelW() { return kw; }
    public int strideH() { return strideH; }
    public int strideW() { return strideW; }
    public int padH() { return padH; }
    public int padW() { return padW; }
    public InputLayout layout() { return layout; }
    /** Bytes of the packed weight (see {@link PackedMatrix#bytes()}). */
    public long weightBytes() { return weight.bytes(); }
    /** The bias (copy), or null. */
    public float[] bias() { return bias == null ? null : bias.clone(); }

    /** Output height for input height {@code h}: {@code floor((h + 2*padH - kh) / strideH) + 1}. */
    public int outH(int h) {
        return outSize(h, kh, strideH, padH, "height");
    }

    /** Output width for input width {@code w}. */
    public int outW(int w) {
        return outSize(w, kw, strideW, padW, "width");
    }

    private static int outSize(int in, int k, int s, int p, String what) {
        if (in < 1) throw new IllegalArgumentException("conv2d input " + what + " must be >= 1, found " + in);
        long span = in + 2L * p - k;
        if (span < 0) {
            throw new IllegalArgumentException("conv2d input " + what + " " + in + " (+2*pad " + p + ") smaller than kernel " + k);
        }
        return Checks.fitsInt("conv2d output " + what, span / s + 1);
    }

    /** {@link #apply(float[], int, int, int, float[], int, int, boolean)} with {@code ldy = cout}, overwrite. */
    public void apply(float[] x, int xOff, int h, int w, float[] y, int yOff) {
        apply(x, xOff, h, w, y, yOff, cout, false);
    }

    /**
     * Convolves one image.
     *
     * @param x          input in {@link #layout()} with {@code cin} channels, {@code h x w}
     * @param y          output, channels-last {@code [outH*outW][ldy]}; columns [0, cout) written
     * @param accumulate if true {@code y += conv(x)} (residual add), else {@code y = conv(x)}
     */
    public void apply(float[] x, int xOff, int h, int w, float[] y, int yOff, int ldy, boolean accumulate) {
        apply(x, xOff, h, w, y, yOff, ldy, accumulate ? this.accumulate : this.overwrite);
    }

    /**
     * Convolves one image with an explicit GEMM epilogue. The epilogue replaces the default one, so
     * it must carry the bias itself (e.g. {@code Epilogue.NONE.withBias(conv.bias()).withGelu()}).
     */
    public void apply(float[] x, int xOff, int h, int w, float[] y, int yOff, int ldy, Epilogue epilogue) {
        Checks.notNull("epilogue", epilogue);
        epilogue.checkColumns(cout);
        int oh = outH(h), ow = outW(w);
        if (ldy < cout) throw new IllegalArgumentException("ldy " + ldy + " < cout " + cout);
        int m = Checks.fitsInt("conv2d output pixels outH*outW (" + oh + "x" + ow + ")", (long) oh * ow);
        Checks.range("input", x, xOff, (long) cin * h * w);
        Checks.range("output", y, yOff, (long) (m - 1) * ldy + cout);
        Checks.noRowsOverlap("input", x, xOff, 0, 1, cin * h * w, "output", y, yOff, ldy, m, cout);
        int k = cin * kh * kw;
        if (kh == 1 && kw == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0 && layout == InputLayout.NHWC) {
            weight.multiply(m, x, xOff, cin, y, yOff, ldy, epilogue);
            return;
        }
        int rowsPerChunk = Math.max(1, Math.min(m, IM2COL_CHUNK_FLOATS / k));
        int threads = Parallel.threads();
        if (threads > 1 && m >= 2 * threads * MIN_TASK_ROWS) {
            // Enough output pixels: each task builds the im2col rows of its own chunk and multiplies them (the
            // nested GEMM runs on the task's thread), so the im2col copy runs in parallel too, not serially
            // between parallel GEMMs.
            int chunks = Math.max(2 * threads, (m + rowsPerChunk - 1) / rowsPerChunk);
            int per = (m + chunks - 1) / chunks;
            Parallel.forEach((m + per - 1) / per, t -> {
                int r0 = t * per, rows = Math.min(per, m - r0);
                ThreadScratch scratch = COLS.get();
                float[] cols = scratch.take((long) rows * k);
                try {
                    im2col(x, xOff, h, w, ow, r0, rows, cols);
                    weight.multiply(rows, cols, 0, k, y, yOff + r0 * ldy, ldy, epilogue);
                } finally {
                    scratch.give(cols);
                }
            });
            return;
        }
        ThreadScratch scratch = COLS.get();
        float[] cols = scratch.take((long) rowsPerChunk * k);
        try {
            for (int r0 = 0; r0 < m; r0 += rowsPerChunk) {
                int rows = Math.min(rowsPerChunk, m - r0);
                im2col(x, xOff, h, w, ow, r0, rows, cols);
                weight.multiply(rows, cols, 0, k, y, yOff + r0 * ldy, ldy, epilogue);
            }
        } finally {
            scratch.give(cols);
        }
    }

    /** This thread's im2col chunk buffer (reused across calls and layers; see {@link ThreadScratch}). */
    private static final ThreadLocal<ThreadScratch> COLS = ThreadLocal.withInitial(ThreadScratch::new);

    private void im2col(float[] x, int xOff, int h, int w, int ow, int r0, int rows, float[] cols) {
        if (layout == InputLayout.NHWC) im2colNhwc(x, xOff, h, w, ow, r0, rows, cols);
        else im2colNchw(x, xOff, h, w, ow, r0, rows, cols);
    }

    /** Rows [r0, r0+rows) of the im2col matrix for channels-last input; column order (ky, kx, ci). */
    private void im2colNhwc(float[] x, int xOff, int h, int w, int ow, int r0, int rows, float[] cols) {
        int k = cin * kh * kw;
        for (int r = 0; r < rows; r++) {
            int pix = r0 + r;
            int oy = pix / ow, ox = pix % ow;
            int dst = r * k;
            for (int ky = 0; ky < kh; ky++) {
                int iy = oy * strideH - padH + ky;
                for (int kx = 0; kx < kw; kx++, dst += cin) {
                    int ix = ox * strideW - padW + kx;
                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                        java.util.Arrays.fill(cols, dst, dst + cin, 0f);
                    } else {
                        System.arraycopy(x, xOff + (iy * w + ix) * cin, cols, dst, cin);
                    }
                }
            }
        }
    }

    /** Rows [r0, r0+rows) of the im2col matrix for NCHW input; column order (ci, ky, kx). */
    private void im2colNchw(float[] x, int xOff, int h, int w, int ow, int r0, int rows, float[] cols) {
        int k = cin * kh * kw;
        for (int r = 0; r < rows; r++) {
            int pix = r0 + r;
            int oy = pix / ow, ox = pix % ow;
            int dst = r * k;
            for (int ci = 0; ci < cin; ci++) {
                int plane = xOff + ci * h * w;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy * strideH - padH + ky;
                    int ix0 = ox * strideW - padW;
                    if (iy < 0 || iy >= h) {
                        java.util.Arrays.fill(cols, dst, dst + kw, 0f);
                    } else if (ix0 >= 0 && ix0 + kw <= w) {
                        System.arraycopy(x, plane + iy * w + ix0, cols, dst, kw);
                    } else {
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = ix0 + kx;
                            cols[dst + kx] = (ix < 0 || ix >= w) ? 0f : x[plane + iy * w + ix];
                        }
                    }
                    dst += kw;
                }
            }
        }
    }
}
