package dev.keel.authz;

/**
 * A SpiceDB call failed: the server answered with an error status, the transport could not reach it,
 * or the deadline passed. {@link #status()} is the gRPC status name (for example {@code UNAVAILABLE},
 * {@code INVALID_ARGUMENT}, {@code FAILED_PRECONDITION}, {@code DEADLINE_EXCEEDED}); errors reported by
 * the embedded library without a status are {@code UNKNOWN}.
 */
public class PermissionsException extends AuthzException {
    private static final long serialVersionUID = 1L;

    /** The failed operation, for example {@code CheckBulkPermissions}. */
    private final String operation;

    /** The gRPC status name, for example {@code UNAVAILABLE}. */
    private final String status;

    /** How many attempts were made. */
    private final int attempts;

    /**
     * Creates an exception for {@code operation} that failed with {@code status} after {@code attempts} tries.
     *
     * @param operation the failed operation
     * @param status the gRPC status name
     * @param attempts how many attempts were made
     * @param detail the server's message, or null
     * @param cause the underlying failure
     */
    public PermissionsException(String operation, String status, int attempts, String detail, Throwable cause) {
        super(operation + " failed (" + status + (attempts > 1 ? ", after " + attempts + " attempts" : "") + "): " + detail, cause);
        this.operation = operation;
        this.status = status;
        this.attempts = attempts;
    }

    /**
     * The SpiceDB operation, for example {@code CheckBulkPermissions}.
     *
     * @return the SpiceDB operation
     */
    public String operation() {
        return operation;
    }

    /**
     * The gRPC status name of the failure.
     *
     * @return the gRPC status name of the failure
     */
    public String status() {
        return status;
    }

    /**
     * How many times the call was tried (more than one when it was retried on {@code UNAVAILABLE}).
     *
     * @return how many times the call was tried
     */
    public int attempts() {
        return attempts;
    }

    /**
     * True when the failure was a deadline or a timeout.
     *
     * @return true when the failure was a deadline or a timeout
     */
    public boolean isTimeout() {
        return "DEADLINE_EXCEEDED".equals(status);
    }
}
