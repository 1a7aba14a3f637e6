package dev.vitesse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void redrawsInPlaceAndEndsComplete() {
        StringWriter s = new StringWriter();
        try (ProgressBar bar = new ProgressBar(new PrintWriter(s), 200, true)) {
            for (int i = 1; i <= 200; i++) bar.update(i);
        }
        List<String> draws = s.toString().lines().toList();
        assertThat(draws.size()).isBetween(2, 101);                     // throttled to about one redraw per percent
        assertThat(draws.get(0)).startsWith("[").doesNotContain("\u001b");
        assertThat(draws.get(draws.size() - 1)).startsWith("\u001b[1A\u001b[2K[" + "#".repeat(30) + "] 200/200");
    }

    @Test
    void disabledPrintsNothing() {
        StringWriter s = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(s), 50, false);
        for (int i = 1; i <= 50; i++) bar.update(i);
        assertThat(s.toString()).isEmpty();
    }
}
