package dev.vitesse.model.fam1;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

class SwinFixtureTest {
    @Test
    void timmAtMultipleOfWindowWithClampedLastStages() throws IOException {
        Fixture f = new Fixture("swin/timm_112");
        Fam1Model m = Fam1Models.load(f.dir, null);
        assertThat(m.architecture()).isEqualTo("swin_tiny_patch4_window7_224");
        f.check(m, 1e-4);
    }

    @Test
    void timmWithPaddedWindows() throws IOException {
        Fixture f = new Fixture("swin/timm_64_pad");
        f.check(Fam1Models.load(f.dir, null), 1e-4);
    }

    @Test
    void torchvisionPadsThenRollsAndNeverClamps() throws IOException {
        Fixture f = new Fixture("swin/torchvision_64");
        f.check(Fam1Models.load(f.dir, null), 1e-4);
    }
}
