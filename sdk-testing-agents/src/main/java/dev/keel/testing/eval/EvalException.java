package dev.keel.testing.eval;

/** An evaluation could not be carried out (a judge that fails or answers nonsense, an unusable case). */
public final class EvalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message.
     *
     * @param message what went wrong
     */
    public EvalException(String message) {
        super(message);
    }

    /**
     * An exception with a message and a cause.
     *
     * @param message what went wrong
     * @param cause   the underlying failure
     */
    public EvalException(String message, Throwable cause) {
        super(message, cause);
    }
}
