package dev.vitesse.cli;

import dev.vitesse.kernels.Parallel;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code vitesse}: Vision Transformer inference from the command line. Every error is one line on stderr and a
 * non-zero exit code (1 = failure, 2 = bad usage); {@code --verbose} adds the stack trace.
 */
@Command(name = "vitesse", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = "Vision Transformer inference on the JVM (pure Java, SIMD via the Vector API).",
        subcommands = {ClassifyCommand.class, EmbedCommand.class, AttentionCommand.class, InfoCommand.class,
                LogitsCommand.class, BenchCommand.class, AnalyzeCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Printed by {@code -V} / {@code --version} of the program and of every command. */
    static final String VERSION = "vitesse 0.1.0";

    @Option(names = "--threads", scope = ScopeType.INHERIT, paramLabel = "N",
            description = "Worker threads for the kernels (default: all cores, or -Dvitesse.threads).")
    void threads(int n) {
        try {
            Parallel.setThreads(n); // the range is Parallel's: 1..MAX_THREADS
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec().commandLine(),
                    "--threads must be in 1.." + Parallel.MAX_THREADS + ", got " + n);
        }
        threads = n;
    }

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    int threads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private CommandLine.Model.CommandSpec spec() {
        return spec;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing command: one of classify, embed, attention, info, logits, bench, analyze");
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the CLI with the given streams; returns the exit code (used by the tests, in-process). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            String cmd = c.getCommandSpec().qualifiedName();
            c.getErr().println("vitesse: " + oneLine(ex.getMessage()) + " (see '" + cmd + " --help')");
            if (verbose(c)) ex.printStackTrace(c.getErr());
            c.getErr().flush();
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("vitesse: " + describe(ex));
            if (verbose(c)) ex.printStackTrace(c.getErr());
            c.getErr().flush();
            return 1;
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands only Exceptions to the handler above; an Error would escape as a JVM stack trace
            err.println("vitesse: " + describe(e));
            if (verbose(cl)) e.printStackTrace(err);
            code = 1;
        }
        out.flush();
        err.flush();
        return code;
    }

    private static boolean verbose(CommandLine c) {
        for (CommandLine p = c; p != null; p = p.getParent()) {
            if (p.getCommand() instanceof Main m && m.verbose) return true;
        }
        return false;
    }

    /** A one-line, human description of an exception (the message, never a stack trace). */
    static String describe(Throwable ex) {
        Throwable e = ex;
        // unwrap wrappers that only add noise
        while ((e instanceof java.util.concurrent.CompletionException || e instanceof java.io.UncheckedIOException
                || e instanceof java.lang.reflect.InvocationTargetException) && e.getCause() != null) {
            e = e.getCause();
        }
        // ForkJoin rethrows a worker's exception as a new instance whose message is cause.toString()
        while (e.getCause() != null && e.getMessage() != null && e.getMessage().equals(e.getCause().toString())) {
            e = e.getCause();
        }
        if (e instanceof NoSuchFileException n) return "no such file: " + n.getFile();
        if (e instanceof AccessDeniedException a) return "permission denied: " + a.getFile();
        if (e instanceof OutOfMemoryError) return "out of memory (try a smaller --batch, or more heap: VITESSE_JAVA_OPTS=-Xmx8g)";
        String msg = e.getMessage();
        if (msg == null || msg.isBlank()) return e.getClass().getSimpleName();
        if (e instanceof java.io.IOException && !(e instanceof java.io.FileNotFoundException)) {
            return "I/O error: " + oneLine(msg);
        }
        return oneLine(msg);
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
