package dev.vitesse.kernels;

import dev.vitesse.kernels.gemm.GemmConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kernels are only fast once C2 has compiled them: Vector API code run by the interpreter or C1 boxes every
 * vector (~100x slower). A method that C1 or C2 refuses to compile (too large, too many virtual registers) can
 * strand a kernel below C2 for good; this happened to the 12-row GEMM micro-kernel on AVX-512 hardware. This test
 * runs {@link JitWorkload} in a child JVM with the same vector width and {@code -XX:+PrintCompilation}, then checks
 * that no Vitesse method was refused and that the micro-kernel of this width reached tier 4 (C2).
 */
class JitHealthTest {

    @Test
    void everyKernelCompilesAndTheMicroKernelReachesC2() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-XX:MaxVectorSize") || a.startsWith("-XX:UseAVX") || a.startsWith("-Dvitesse.")) cmd.add(a);
        }
        cmd.add("-XX:+PrintCompilation");
        // compile in the foreground: the workload waits for each compile, so a slow or busy machine cannot end it
        // before C2 has had its turn (the check is then about the JIT's verdict, not about timing)
        cmd.add("-Xbatch");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(JitWorkload.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log;
        try (var in = p.getInputStream()) {
            log = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("workload finished").isTrue();
        assertThat(p.exitValue()).as("workload exit code; its output without the compile log:\n%s", notCompileLog(log)).isZero();
        assertThat(log).contains("done");

        List<String> refused = log.lines()
                .filter(l -> l.contains("dev.vitesse") && (l.contains("COMPILE SKIPPED") || l.contains("not compilable")))
                .toList();
        assertThat(refused).as("Vitesse methods the JIT refused to compile").isEmpty();

        String kernel = "dev.vitesse.kernels.gemm.MicroKernels::" + (GemmConfig.MR == 12 ? "tile12x2" : "tile6x2");
        boolean c2 = log.lines().anyMatch(l -> l.contains(kernel) && l.matches("^\\s*\\d+\\s+\\d+\\s+[%sbn!\\s]*4\\s+.*"));
        assertThat(c2).as("%s compiled at tier 4 (C2); its compile log:\n%s", kernel,
                String.join("\n", log.lines().filter(l -> l.contains(kernel)).toList())).isTrue();
    }

    private static String notCompileLog(String log) {
        return String.join("\n", log.lines().filter(l -> !l.matches("^\\s*\\d+\\s+\\d+\\s.*")).toList());
    }
}
