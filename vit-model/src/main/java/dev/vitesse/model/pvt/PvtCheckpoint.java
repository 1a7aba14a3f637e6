package dev.vitesse.model.pvt;

import dev.vitesse.model.io.TensorMap;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * whai362/PVT v2 names -> timm names (timm's {@code _checkpoint_filter_fn}): {@code patch_embed1} ->
 * {@code patch_embed}, {@code patch_embed{2,3,4}} -> {@code stages.{1,2,3}.downsample},
 * {@code block{i}.{j}} -> {@code stages.{i-1}.blocks.{j}}, {@code norm{i}} -> {@code stages.{i-1}.norm},
 * {@code mlp.dwconv.dwconv} -> {@code mlp.dwconv}. Applied when {@code patch_embed.proj.weight} is absent.
 */
final class PvtCheckpoint {
    private PvtCheckpoint() {}

    private static final Pattern BLOCK = Pattern.compile("^block(\\d+)\\.(\\d+)\\.");
    private static final Pattern NORM = Pattern.compile("^norm(\\d+)\\.");
    private static final Pattern EMBED = Pattern.compile("^patch_embed(\\d+)\\.");

    static TensorMap v2ToTimm(TensorMap t) {
        if (t.has("patch_embed.proj.weight")) return t;
        return t.renamed(PvtCheckpoint::originalToTimm);
    }

    static String originalToTimm(String k) {
        Matcher m = EMBED.matcher(k);
        if (m.find()) {
            int i = Integer.parseInt(m.group(1));
            k = (i == 1 ? "patch_embed." : "stages." + (i - 1) + ".downsample.") + k.substring(m.end());
        }
        k = k.replace("dwconv.dwconv.", "dwconv.");
        m = BLOCK.matcher(k);
        if (m.find()) k = "stages." + (Integer.parseInt(m.group(1)) - 1) + ".blocks." + m.group(2) + "." + k.substring(m.end());
        m = NORM.matcher(k);
        if (m.find()) k = "stages." + (Integer.parseInt(m.group(1)) - 1) + ".norm." + k.substring(m.end());
        return k;
    }
}
