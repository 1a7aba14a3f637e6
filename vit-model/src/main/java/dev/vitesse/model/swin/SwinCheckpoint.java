package dev.vitesse.model.swin;

import dev.vitesse.model.io.TensorMap;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checkpoint name remapping into timm's current Swin layout:
 * <ul>
 *   <li>timm &lt; 0.9 / Microsoft's original checkpoints: {@code layers.{i}.downsample} at the END of stage i
 *       and {@code head.weight} -> {@code layers.{i+1}.downsample}, {@code head.fc.weight} (timm's own
 *       {@code checkpoint_filter_fn} rule: old layout unless {@code head.fc.weight} is present);</li>
 *   <li>torchvision: {@code features.0.0} (conv) / {@code features.0.2} (norm) -> {@code patch_embed.proj/norm};
 *       {@code features.{2s+1}.{j}} -> {@code layers.{s}.blocks.{j}} with {@code mlp.0/mlp.3} -> {@code mlp.fc1/fc2};
 *       {@code features.{2s}.(norm|reduction)} (merging after stage s-1) -> {@code layers.{s}.downsample};
 *       {@code head} -> {@code head.fc}.</li>
 * </ul>
 * Non-persistent buffers some exports contain ({@code relative_position_index}, {@code attn_mask}) are ignored.
 */
final class SwinCheckpoint {
    private SwinCheckpoint() {}

    private static final Pattern OLD_DOWNSAMPLE = Pattern.compile("^layers\\.(\\d+)\\.downsample\\.");
    private static final Pattern TV_BLOCK = Pattern.compile("^features\\.(\\d+)\\.(\\d+)\\.(.*)$");
    private static final Pattern TV_MERGE = Pattern.compile("^features\\.(\\d+)\\.(norm|reduction)\\.(.*)$");

    static TensorMap toTimm(TensorMap t, boolean torchvision) {
        TensorMap out = torchvision ? t.renamed(SwinCheckpoint::fromTorchvision) : t;
        if (!torchvision && !t.has("head.fc.weight") && (t.has("head.weight") || hasOldDownsample(t))) {
            out = t.renamed(SwinCheckpoint::fromOldTimm);
        }
        out.ignoreSuffix("relative_position_index");
        out.ignoreSuffix("attn_mask");
        return out;
    }

    private static boolean hasOldDownsample(TensorMap t) {
        return t.names().stream().anyMatch(n -> n.startsWith("layers.0.downsample."));
    }

    static String fromOldTimm(String k) {
        Matcher m = OLD_DOWNSAMPLE.matcher(k);
        if (m.find()) k = "layers." + (Integer.parseInt(m.group(1)) + 1) + ".downsample." + k.substring(m.end());
        if (k.startsWith("head.")) k = "head.fc." + k.substring(5);
        return k;
    }

    static String fromTorchvision(String k) {
        if (k.startsWith("features.0.0.")) return "patch_embed.proj." + k.substring("features.0.0.".length());
        if (k.startsWith("features.0.2.")) return "patch_embed.norm." + k.substring("features.0.2.".length());
        Matcher m = TV_MERGE.matcher(k);
        if (m.matches() && Integer.parseInt(m.group(1)) % 2 == 0) {
            return "layers." + Integer.parseInt(m.group(1)) / 2 + ".downsample." + m.group(2) + "." + m.group(3);
        }
        m = TV_BLOCK.matcher(k);
        if (m.matches() && Integer.parseInt(m.group(1)) % 2 == 1) {
            String rest = m.group(3)
                    .replace("mlp.0.", "mlp.fc1.").replace("mlp.3.", "mlp.fc2.")
                    .replace("mlp.linear_1.", "mlp.fc1.").replace("mlp.linear_2.", "mlp.fc2.");
            return "layers." + (Integer.parseInt(m.group(1)) - 1) / 2 + ".blocks." + m.group(2) + "." + rest;
        }
        if (k.startsWith("head.")) return "head.fc." + k.substring(5);
        return k;
    }
}
