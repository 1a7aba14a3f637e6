package dev.vitesse.kernels;

/** Double-precision scalar references used as test oracles. */
public final class Ref {
    private Ref() {}

    /** erf in double, accurate to ~1e-15: Taylor series for |x| < 3, Laplace continued fraction for erfc above. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double term = ax, sum = ax, x2 = ax * ax;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = ax;
            for (int n = 80; n >= 1; n--) f = ax + (n / 2.0) / f;
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }

/** OpenAI CLIP's QuickGELU, x sigmoid(1.702 x), in double (1.702 as the float PyTorch multiplies by). */
    public static double quickGelu(double x) {
        return x / (1 + Math.exp(-(double) 1.702f * x));
    }

    /** The reference of an activation, in double. */
    public static double activation(Activation a, double x) {
        return switch (a) {
            case GELU -> gelu(x);
            case GELU_TANH -> geluTanh(x);
            case QUICK_GELU -> quickGelu(x);
        };
    }

/** PyTorch's tanh-approximation GELU, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), in double. */
    public static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

        static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** In-place-free softmax(scale*x + bias) of one row in double; fully masked rows give zeros. */
    static double[] softmax(double[] z) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : z) m = Math.max(m, v);
        double[] p = new double[z.length];
        if (m == Double.NEGATIVE_INFINITY) return p;
        double s = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - m);
            s += p[i];
        }
        for (int i = 0; i < z.length; i++) p[i] /= s;
        return p;
    }
}
