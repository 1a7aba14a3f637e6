package dev.vitesse.model.fam1;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

class PvtFixtureTest {
    @Test
    void pvtV2TimmNamesNonSquareInput() throws IOException {
        Fixture f = new Fixture("pvt_v2/timm_b0");
        f.check(Fam1Models.load(f.dir, null), 1e-4);
    }

    @Test
    void pvtV2OriginalRepositoryNames() throws IOException {
        Fixture f = new Fixture("pvt_v2/original_b0", "pvt_v2/timm_b0");
        Fam1Model m = Fam1Models.load(f.dir, null);
        assertThat(m.architecture()).isEqualTo("pvt_v2_b0");
        f.check(m, 1e-4);
    }

    @Test
    void pvtV2LinearSpatialReduction() throws IOException {
        Fixture f = new Fixture("pvt_v2/timm_b2_li");
        f.check(Fam1Models.load(f.dir, null), 1e-4);
    }

    @Test
    void pvtV1OriginalLayoutWithClassToken() throws IOException {
        Fixture f = new Fixture("pvt_v1/tiny_64");
        f.check(Fam1Models.load(f.dir, null), 1e-4);
    }

    @Test
    void pvtV1ResizesPositionEmbeddingsAtAnotherResolution() throws IOException {
        Fixture f = new Fixture("pvt_v1/tiny_64", "pvt_v1/tiny_64_at_48x80");
        f.check(Fam1Models.load(f.dir, null), 1e-4);
    }
}
