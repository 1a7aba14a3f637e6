package dev.vitesse.kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@link AttentionBias} chain resolved for one call: term t of (b, h) starts at
 * {@code data[t][offsets[t][b * heads + h]]} with row stride {@code ld[t]}; every range was checked.
 */
final class BiasTerms {
    final float[][] data;
    final int[] ld;
    final int[][] offsets;

    private BiasTerms(float[][] data, int[] ld, int[][] offsets) {
        this.data = data;
        this.ld = ld;
        this.offsets = offsets;
    }

    int size() {
        return data.length;
    }

    /**
     * The chain of terms resolved for the given shape, with every per-(batch, head) offset computed once and
     * checked against the array (package-internal: kernels then index only validated ranges).
     */
    static BiasTerms resolve(AttentionBias bias, int batch, int heads, int nq, int nkv) {
        List<float[]> datas = new ArrayList<>();
        List<Integer> lds = new ArrayList<>();
        List<int[]> offs = new ArrayList<>();
        for (AttentionBias t = bias; t != null; t = t.next()) {
            int n = datas.size();
            if (n >= 64) throw new IllegalArgumentException("bias chain longer than 64 terms (cycle?)");
            float[] d = t.data();
            if (d == null) throw new IllegalArgumentException("bias term " + n + ": data is null");
            int ld = t.ld();
            if (ld < 0) throw new IllegalArgumentException("bias term " + n + ": ld must be >= 0, found " + ld);
            int[] o = new int[batch * heads];
            for (int b = 0; b < batch; b++) {
                for (int h = 0; h < heads; h++) {
                    int off = t.offset(b, h);
                    long last = off + (long) (Math.max(nq, 1) - 1) * ld + nkv - 1;
                    if (off < 0 || (nq > 0 && nkv > 0 && last >= d.length)) {
                        throw new IllegalArgumentException("bias term " + n + " out of range for batch " + b + " head " + h
                                + ": offset " + off + ", ld " + ld + ", " + nq + "x" + nkv + " needs " + (last + 1)
                                + " elements, array has " + d.length);
                    }
                    o[b * heads + h] = off;
                }
            }
            datas.add(d);
            lds.add(ld);
            offs.add(o);
        }
        int n = datas.size();
        int[] ldArr = new int[n];
        for (int i = 0; i < n; i++) ldArr[i] = lds.get(i);
        return new BiasTerms(datas.toArray(new float[0][]), ldArr, offs.toArray(new int[0][]));
    }

}
