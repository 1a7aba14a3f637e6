package dev.vitesse.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImageNetLabelsTest {
    @Test
    void thousandNamesInTorchvisionOrder() {
        assertThat(ImageNetLabels.get()).hasSize(1000);
        assertThat(ImageNetLabels.get().get(0)).isEqualTo("tench");
        assertThat(ImageNetLabels.get().get(281)).isEqualTo("tabby");
        assertThat(ImageNetLabels.get().get(999)).isEqualTo("toilet tissue");
    }
}
