package dev.vitesse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vitesse.model.Prediction;
import dev.vitesse.model.VisionModel;
import dev.vitesse.model.preprocess.ImageTransform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's Java API example, verbatim apart from the paths, so that it keeps compiling and working. */
class ReadmeExampleTest {
    @Test
    void readmeExampleRuns() throws IOException {
        Path modelDir = BuiltinModel.folder();
        Path image = BuiltinModel.samples().get(2);   // digit_2_...

        VisionModel model = VisionModel.load(modelDir);                              // timm / HF folder
        ImageTransform tf = ImageTransform.of(model.preprocessing());               // the checkpoint's own pipeline
        List<Prediction> top5 = model.classify(tf.apply(image), 5);                 // decode, resize, crop, normalise
        for (Prediction p : top5) System.out.printf("%5.1f%%  %s%n", 100 * p.probability(), p.label());

        assertThat(top5).hasSize(5);
        float[] batch = tf.apply(image);
        int n = 1;
        float[] logits = model.forward(batch, n);                // [n][model.numClasses()]
        float[] features = model.embed(batch, n);                // [n][model.numFeatures()]
        assertThat(logits).hasSize(model.numClasses());
        assertThat(features).hasSize(model.numFeatures());
        int best = 0;
        for (int c = 1; c < logits.length; c++) if (logits[c] > logits[best]) best = c;
        assertThat(top5.get(0).index()).isEqualTo(best);
    }
}
