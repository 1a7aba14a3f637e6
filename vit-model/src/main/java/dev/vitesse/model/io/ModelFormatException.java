package dev.vitesse.model.io;

/** A checkpoint or config file is malformed or does not match the architecture. The message names file/tensor. */
public class ModelFormatException extends IllegalArgumentException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
