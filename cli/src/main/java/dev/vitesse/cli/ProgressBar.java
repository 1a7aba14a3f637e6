package dev.vitesse.cli;

import java.io.PrintWriter;

/**
 * A one-line progress bar on stderr, redrawn in place. It rewrites the previous line with ANSI "cursor up + clear
 * line" and ends every draw with a newline, so it also works through line-buffered filters (the launcher script
 * pipes stderr through grep). Disabled (no output at all) when stderr is not an interactive terminal.
 */
final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final int total;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private int lastPermille = -1;
    private boolean drawn;

    ProgressBar(PrintWriter err, int total, boolean enabled) {
        this.err = err;
        this.total = total;
        this.enabled = enabled && total > 0;
    }

    /** Shows the bar when there are "many" items and we are in a terminal. */
    static boolean wanted(int items) {
        java.io.Console c = System.console();
        return items >= 8 && c != null && c.isTerminal();
    }

    void update(int done) {
        if (!enabled) return;
        int permille = (int) ((long) done * 1000 / total);
        if (permille == lastPermille && done != total) return;
        if (permille - lastPermille < 10 && done != total && lastPermille >= 0) return; // redraw every 1 %
        lastPermille = permille;
        int filled = (int) ((long) done * WIDTH / total);
        double secs = (System.nanoTime() - start) / 1e9;
        String bar = "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total
                + String.format(java.util.Locale.ROOT, "  %.1f img/s", secs > 0 ? done / secs : 0.0);
        err.print((drawn ? "\u001b[1A\u001b[2K" : "") + bar + "\n");
        err.flush();
        drawn = true;
    }

    @Override
    public void close() {
        // the bar stays as the last stderr line; nothing to clean up
    }
}
