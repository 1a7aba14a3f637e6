package dev.vitesse.model.alternet;

import dev.vitesse.kernels.Attention;
import dev.vitesse.kernels.AttentionBias;
import dev.vitesse.kernels.AttentionView;
import dev.vitesse.kernels.BatchNorm;
import dev.vitesse.kernels.Conv2d;
import dev.vitesse.kernels.Gelu;
import dev.vitesse.kernels.Pooling;
import dev.vitesse.kernels.Profiler;
import dev.vitesse.model.analysis.BlockKind;
import dev.vitesse.model.analysis.FeatureMap;
import dev.vitesse.model.analysis.FeatureTap;
import dev.vitesse.model.family2.Convs;
import dev.vitesse.model.family2.Family2Model;
import dev.vitesse.model.io.TensorMap;
import dev.vitesse.model.layers.Dense;
import dev.vitesse.model.layers.Scratch;

import java.util.ArrayList;
import java.util.List;

/**
 * AlterNet ("How Do Vision Transformers Work?", Park and Kim 2022) from the original repository's state_dict names:
 * a pre-activation ResNet whose late blocks alternate with local-window MSA blocks.
 *
 * <p>Activations are channels-last {@code [H*W][C]} throughout. Pre-activation BatchNorms ({@code bn1},
 * {@code norm1}, the classifier's {@code bn}) act on the block input, which the skip path needs unchanged, so
 * they are applied (not folded); BatchNorms that follow a convolution ({@code bn2}, {@code bn3}, {@code norm2})
 * are folded into it. Attention block: {@code skip = x; t = norm2(conv(GELU(norm1(x))))}, then per 7x7 window
 * {@code softmax(q k^T / sqrt(dim_head) + B) v} with {@code B[i][j] = pos_embedding[xj - xi + 6][yj - yi + 6]}
 * (x = row, y = column inside the window), {@code to_out} 1x1 conv with bias, plus skip.
 */
public final class AlterNet extends Family2Model {
    private final AlterNetConfig cfg;
    private final Conv2d stem;
    private final List<Block> blocks = new ArrayList<>();
    private final BatchNorm headBn;
    private final Dense dense;

    private sealed interface Block permits ConvBlock, AttnBlock {
        String name();
    }

    /** Pre-activation basic block (conv1 3x3 + bn2 folded, conv2 3x3) or bottleneck (1x1, 3x3, 1x1). */
    private record ConvBlock(String name, BatchNorm bn1, Conv2d shortcut, Conv2d[] convs, int stride,
                             int cin, int cout) implements Block {}

    private record AttnBlock(String name, BatchNorm norm1, Conv2d conv, Dense toQkv, Dense toOut, float[] bias,
                             int heads, int dimHead, int cin) implements Block {}

    private AlterNet(AlterNetConfig cfg, TensorMap t) {
        super("alternet:" + cfg.variant(), cfg.numClasses(), cfg.imgSize());
        this.cfg = cfg;
        stem = Convs.conv(t, "layer0.layer0.0", 3, cfg.stemWidth(), 7, 2, 3, false, Conv2d.InputLayout.NCHW);
        int chans = cfg.stemWidth();
        int e = cfg.expansion();
        for (int s = 0; s < 4; s++) {
            int out = cfg.widths()[s];
            for (int i = 0; i < cfg.numBlocks()[s]; i++) {
                String name = "layer" + (s + 1) + "." + i;
                int stride = (i == 0 && s > 0) ? 2 : 1;
                if (cfg.isAttention(s, i)) {
                    blocks.add(loadAttn(t, name, chans, out * e, cfg.heads()[s], e, stride));
                } else {
                    blocks.add(loadConv(t, name, chans, out, stride));
                }
                chans = out * e;
            }
        }
        headBn = Convs.batchNorm(t, "classifier.0.bn", chans);
        dense = Dense.load(t, "classifier.0.dense", cfg.numClasses(), chans, true);
        finishLoading(t);
    }

    private ConvBlock loadConv(TensorMap t, String p, int cin, int width, int stride) {
        int cout = width * cfg.expansion();
        BatchNorm bn1 = Convs.batchNorm(t, p + ".bn1", cin);
        Conv2d sc = null;
        if (stride != 1 || cin != cout) {
            sc = Convs.conv(t, p + ".shortcut.0", cin, cout, 1, stride, 0, false, Conv2d.InputLayout.NHWC);
        }
        Conv2d[] convs;
        if (cfg.bottleneck()) {
            convs = new Conv2d[] {
                    Convs.convBn(t, p + ".conv1", p + ".bn2", cin, width, 1, 1, 0, Conv2d.InputLayout.NHWC),
                    Convs.convBn(t, p + ".conv2", p + ".bn3", width, width, 3, stride, 1, Conv2d.InputLayout.NHWC),
                    Convs.conv(t, p + ".conv3", width, cout, 1, 1, 0, false, Conv2d.InputLayout.NHWC)};
        } else {
            convs = new Conv2d[] {
                    Convs.convBn(t, p + ".conv1", p + ".bn2", cin, width, 3, stride, 1, Conv2d.InputLayout.NHWC),
                    Convs.conv(t, p + ".conv2", width, cout, 3, 1, 1, false, Conv2d.InputLayout.NHWC)};
        }
        return new ConvBlock(p, bn1, sc, convs, stride, cin, cout);
    }

    private AttnBlock loadAttn(TensorMap t, String p, int cin, int cout, int heads, int expansion, int stride) {
        if (stride != 1 || cin != cout) {
            // never produced by the repo's alt_seq (an attention block is never first in a stage)
            throw new IllegalArgumentException("AlterNet attention block " + p + " with a projection shortcut is not supported");
        }
        int width = cin / expansion;
        int dh = cfg.dimHead(), inner = heads * dh, w = cfg.windowSize();
        BatchNorm norm1 = Convs.batchNorm(t, p + ".norm1", cin);
        Conv2d conv = Convs.convBn(t, p + ".conv", p + ".norm2", cin, width, 1, 1, 0, Conv2d.InputLayout.NHWC);
        float[] q = t.take(p + ".attn.attn.to_q.weight", inner, width, 1, 1);
        float[] kv = t.take(p + ".attn.attn.to_kv.weight", 2 * inner, width, 1, 1);
        float[] qkv = new float[3 * inner * width];
        System.arraycopy(q, 0, qkv, 0, q.length);
        System.arraycopy(kv, 0, qkv, q.length, kv.length); // rows [q | k | v], each head-major (h d)
        Dense toQkv = new Dense(qkv, null, 3 * inner, width, t.weightFormat());
        Dense toOut = new Dense(t.take(p + ".attn.attn.to_out.0.weight", cout, inner, 1, 1),
                t.take(p + ".attn.attn.to_out.0.bias", cout), cout, inner, t.weightFormat());
        float[] table = t.take(p + ".attn.pos_embedding", 2 * w - 1, 2 * w - 1);
        return new AttnBlock(p, norm1, conv, toQkv, toOut, relativeBias(table, w), heads, dh, cin);
    }

    /**
     * The [w*w][w*w] additive bias of LocalAttention: query i = (xi, yi), key j = (xj, yj) inside the window
     * (token index x*w + y, x the row), {@code B[i][j] = table[xj - xi + w - 1][yj - yi + w - 1]}
     * (rel_distance gives d[i][j] = pos[j] - pos[i]).
     */
    static float[] relativeBias(float[] table, int w) {
        int n = w * w, side = 2 * w - 1;
        float[] b = new float[n * n];
        for (int i = 0; i < n; i++) {
            int xi = i / w, yi = i % w;
            for (int j = 0; j < n; j++) {
                int xj = j / w, yj = j % w;
                b[i * n + j] = table[(xj - xi + w - 1) * side + (yj - yi + w - 1)];
            }
        }
        return b;
    }

    public static AlterNet load(AlterNetConfig cfg, TensorMap t) {
        return new AlterNet(cfg, t);
    }

    @Override
    public int numFeatures() {
        return cfg.widths()[3] * cfg.expansion();
    }

    @Override
    public double flopsPerImage() {
        int img = cfg.imgSize();
        double s = stem.outH(img);
        double total = s * s * cfg.stemWidth() * 3 * 49;
        int h = Pooling.outSize(stem.outH(img), 3, 2, 1);
        for (Block b : blocks) {
            if (b instanceof ConvBlock cb) {
                int ch = h;
                if (cb.shortcut() != null) total += conv(cb.shortcut(), ch);
                for (Conv2d cv : cb.convs()) {
                    total += conv(cv, ch);
                    ch = cv.outH(ch);
                }
                h = ch;
            } else {
                AttnBlock ab = (AttnBlock) b;
                double hw = (double) h * h, inner = ab.heads() * ab.dimHead(), wt = cfg.windowSize() * cfg.windowSize();
                total += conv(ab.conv(), h) + hw * ab.toQkv().in() * 3 * inner + 2 * hw * wt * inner + hw * inner * ab.cin();
            }
        }
        return 2 * (total + (double) numFeatures() * cfg.numClasses());
    }

    /** Multiply-adds of a conv on an h x h input. */
    private static double conv(Conv2d c, int h) {
        double o = c.outH(h);
        return o * o * c.outChannels() * c.inChannels() * c.kernelH() * c.kernelW();
    }

    @Override
    public String describe() {
        long attn = blocks.stream().filter(b -> b instanceof AttnBlock).count();
        return "AlterNet " + cfg.variant() + ": " + (cfg.bottleneck() ? "bottleneck" : "basic") + " blocks "
                + java.util.Arrays.toString(cfg.numBlocks()) + ", " + attn + " of them local MSA ("
                + cfg.windowSize() + "x" + cfg.windowSize() + " windows, heads " + java.util.Arrays.toString(cfg.heads())
                + " x " + cfg.dimHead() + "), stem " + cfg.stemWidth() + ", widths " + java.util.Arrays.toString(cfg.widths())
                + ", " + cfg.numClasses() + " classes";
    }

    // Scratch slots of a forward pass: the block input / output (two, alternating), the pre-activated input, two
    // conv intermediates, and the attention block's window-ordered tokens, qkv, attention output and projection
    private static final int X0 = 0, X1 = 1, A = 2, T1 = 3, T2 = 4, QKV = 5, O = 6, Y = 7, SLOTS = 8;

    @Override
    protected float[] run(float[] image, FeatureTap tap, boolean featuresOnly) {
        // this thread's buffers, kept from its previous pass (every one is written before it is read)
        try (Scratch scratch = Scratch.take(SLOTS)) {
            return run(image, tap, featuresOnly, scratch);
        }
    }

    private float[] run(float[] image, FeatureTap tap, boolean featuresOnly, Scratch scratch) {
        int img = cfg.imgSize();
        int sh = stem.outH(img), sw = stem.outW(img);
        int c = cfg.stemWidth();
        float[] s0 = scratch.get(X1, sh * sw * c);
        long tc = Profiler.start();
        stem.apply(image, 0, img, img, s0, 0);
        Profiler.stop(Profiler.Kind.CONV, tc);
        int h = Pooling.outSize(sh, 3, 2, 1), w = Pooling.outSize(sw, 3, 2, 1);
        int xs = X0;                                 // the slot x is in
        float[] x = scratch.get(xs, h * w * c);
        long tp = Profiler.start();
        Pooling.maxPool(s0, 0, sh, sw, c, 3, 2, 1, x, 0);
        Profiler.stop(Profiler.Kind.DATA_MOVEMENT, tp);
        int idx = 0;
        if (tap != null) tap.accept(FeatureMap.fromChannelsLast(idx++, "layer0", BlockKind.CONV, x, 0, c, c, h, w));
        for (Block b : blocks) {
            if (b instanceof ConvBlock cb) {
                int oh = cb.convs()[cfg.bottleneck() ? 1 : 0].outH(h), ow = cb.convs()[cfg.bottleneck() ? 1 : 0].outW(w);
                float[] y = convBlock(cb, x, h, w, scratch, xs == X0 ? X1 : X0);
                if (y != x) xs = xs == X0 ? X1 : X0;
                x = y;
                h = oh;
                w = ow;
                c = cb.cout();
            } else {
                attnBlock((AttnBlock) b, x, h, w, scratch);
            }
            if (tap != null) {
                tap.accept(FeatureMap.fromChannelsLast(idx++, b.name(),
                        b instanceof AttnBlock ? BlockKind.ATTENTION : BlockKind.CONV, x, 0, c, c, h, w));
            }
        }
        // classifier: BN -> ReLU -> global average pool -> dense
        long tn = Profiler.start();
        headBn.applyNhwc(x, 0, h * w, c, true);
        Profiler.stop(Profiler.Kind.NORM, tn);
        float[] pooled = new float[c];
        long tp2 = Profiler.start();
        Pooling.meanTokens(x, 0, h * w, c, c, pooled, 0);
        Profiler.stop(Profiler.Kind.DATA_MOVEMENT, tp2);
        if (featuresOnly) return pooled;
        float[] out = new float[cfg.numClasses()];
        dense.apply(1, pooled, out);
        return out;
    }

    /** Returns the block output: x itself (identity skip, updated in place) or the scratch slot {@code other}. */
    private float[] convBlock(ConvBlock b, float[] x, int h, int w, Scratch scratch, int other) {
        long tn = Profiler.start();
        float[] a = scratch.get(A, h * w * b.cin()); // pre-activation: relu(bn1(x))
        System.arraycopy(x, 0, a, 0, h * w * b.cin());
        b.bn1().applyNhwc(a, 0, h * w, b.cin(), true);
        Profiler.stop(Profiler.Kind.NORM, tn);
        Conv2d first = b.convs()[0];
        Conv2d strided = b.convs()[cfg.bottleneck() ? 1 : 0];
        int oh = strided.outH(h), ow = strided.outW(w);
        float[] y;
        if (b.shortcut() != null) {
            y = scratch.get(other, oh * ow * b.cout());
            long ts = Profiler.start();
            b.shortcut().apply(a, 0, h, w, y, 0);    // the projection takes the pre-activated input
            Profiler.stop(Profiler.Kind.CONV, ts);
        } else {
            y = x;                                  // identity skip: the raw input
        }
        float[] t1 = Convs.convRelu(first, a, h, w, scratch, T1);
        int th = first.outH(h), tw = first.outW(w);
        float[] cur = t1;
        int curSlot = T1;
        for (int i = 1; i < b.convs().length; i++) {
            Conv2d cv = b.convs()[i];
            boolean last = i == b.convs().length - 1;
            if (last) {
                long tl = Profiler.start();
                cv.apply(cur, 0, th, tw, y, 0, b.cout(), true);  // residual add in the GEMM
                Profiler.stop(Profiler.Kind.CONV, tl);
            } else {
                int into = curSlot == T1 ? T2 : T1;
                float[] nxt = Convs.convRelu(cv, cur, th, tw, scratch, into);
                int nh = cv.outH(th), nw = cv.outW(tw);
                cur = nxt;
                curSlot = into;
                th = nh;
                tw = nw;
            }
        }
        return y;
    }

    /** In place: x += to_out(window_attention(norm2(conv(gelu(norm1(x)))))). */
    private void attnBlock(AttnBlock b, float[] x, int h, int w, Scratch scratch) {
        int win = cfg.windowSize();
        if (h % win != 0 || w % win != 0) {
            throw new IllegalArgumentException(b.name() + ": feature map " + h + "x" + w + " is not a multiple of the "
                    + win + "x" + win + " window (input must be " + win * 32 + "k pixels)");
        }
        int c = b.cin(), hw = h * w;
        long tn = Profiler.start();
        float[] a = scratch.get(A, hw * c);
        System.arraycopy(x, 0, a, 0, hw * c);
        b.norm1().applyNhwc(a, 0, hw, c, false);
        Profiler.stop(Profiler.Kind.NORM, tn);
        long tg = Profiler.start();
        Gelu.apply(a, 0, hw * c);
        Profiler.stop(Profiler.Kind.ACTIVATION, tg);
        int width = b.conv().outChannels();
        float[] t = scratch.get(T1, hw * width);
        long tc = Profiler.start();
        b.conv().apply(a, 0, h, w, t, 0);
        Profiler.stop(Profiler.Kind.CONV, tc);
        // gather windows: row r of the window-ordered matrix = window (n1, n2), token (p1, p2)
        int n1 = h / win, n2 = w / win, nwin = n1 * n2, wt = win * win;
        long tw0 = Profiler.start();
        int[] order = new int[hw];
        for (int i1 = 0; i1 < n1; i1++) {
            for (int i2 = 0; i2 < n2; i2++) {
                for (int p1 = 0; p1 < win; p1++) {
                    for (int p2 = 0; p2 < win; p2++) {
                        order[((i1 * n2 + i2) * win + p1) * win + p2] = (i1 * win + p1) * w + i2 * win + p2;
                    }
                }
            }
        }
        float[] tw = scratch.get(T2, hw * width);
        for (int r = 0; r < hw; r++) System.arraycopy(t, order[r] * width, tw, r * width, width);
        Profiler.stop(Profiler.Kind.DATA_MOVEMENT, tw0);
        int heads = b.heads(), dh = b.dimHead(), inner = heads * dh;
        float[] qkv = scratch.get(QKV, hw * 3 * inner);
        b.toQkv().apply(hw, tw, qkv);
        float[] o = scratch.get(O, hw * inner);
        float[] bias = b.bias();
        AttentionBias ab = new AttentionBias() {
            @Override public float[] data() { return bias; }
            @Override public int offset(int batch, int head) { return 0; }
            @Override public int ld() { return wt; }
        };
        long tat = Profiler.start();
        Attention.flash(nwin, heads, wt, wt, dh, (float) Math.pow(dh, -0.5),
                AttentionView.qkv(qkv, 0, wt, heads, dh, 0), AttentionView.qkv(qkv, 0, wt, heads, dh, 1),
                AttentionView.qkv(qkv, 0, wt, heads, dh, 2), AttentionView.tokenMajor(o, 0, wt, heads, dh), ab);
        Profiler.stop(Profiler.Kind.ATTENTION, tat);
        float[] y = scratch.get(Y, hw * c);
        b.toOut().apply(hw, o, y);
        long tsc = Profiler.start();
        for (int r = 0; r < hw; r++) {
            int dst = order[r] * c, src = r * c;
            for (int ch = 0; ch < c; ch++) x[dst + ch] += y[src + ch];
        }
        Profiler.stop(Profiler.Kind.DATA_MOVEMENT, tsc);
    }
}
