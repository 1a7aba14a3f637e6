package dev.vitesse.bench.e2e;

/** The engine cannot run this architecture (e.g. Vitesse has no loader for it yet): the cell is skipped. */
final class UnsupportedModelException extends Exception {
    UnsupportedModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
