package dev.vitesse.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks output paths before a command loads a model and computes, so that a run does not end, minutes later, in
 * an unwritable {@code --out} (or, for PNGs, in the stack trace ImageIO's file stream prints for a missing folder).
 */
final class OutputFiles {
    private OutputFiles() {}

    /** {@code file} must not be a directory and its folder must exist. */
    static void checkFile(String option, Path file) {
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs))
            throw new IllegalArgumentException(option + " " + file + ": is a directory, expected a file name");
        Path dir = abs.getParent();
        if (dir != null && !Files.isDirectory(dir))
            throw new IllegalArgumentException(option + " " + file + ": folder " + dir + " does not exist");
    }
}
