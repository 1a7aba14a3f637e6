package dev.vitesse.model.fam1;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MixerFixtureTest {
    @Test
    void timmLayout() throws IOException {
        Fixture f = new Fixture("mixer/s_48");
        f.check(Fam1Models.load(f.dir, null), 1e-4);
    }

    @Test
    void otherResolutionIsAClearError() throws IOException {
        Fam1Model m = Fam1Models.load(new Fixture("mixer/s_48").dir, null);
        assertThatThrownBy(() -> m.logits(new float[3 * 64 * 64], 1, 64, 64, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trained for 6x6 patches");
    }
}
