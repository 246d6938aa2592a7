package dev.keel.agents.internal.lsp;

/** A language server failed a request: it answered with an error, did not answer in time, or exited. */
final class LspException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LspException(String message) {
        super(message);
    }
}
