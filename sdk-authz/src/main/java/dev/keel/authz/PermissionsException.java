package dev.keel.authz;

/**
 * A SpiceDB call failed: the server answered with an error status, the transport could not reach it,
 * or the deadline passed. {@link #status()} is the gRPC status name (for example {@code UNAVAILABLE},
 * {@code INVALID_ARGUMENT}, {@code FAILED_PRECONDITION}, {@code DEADLINE_EXCEEDED}); errors reported by
 * the embedded library without a status are {@code UNKNOWN}.
 */
public class PermissionsException extends AuthzException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final String status;
    private final int attempts;

    /** Creates an exception for {@code operation} that failed with {@code status} after {@code attempts} tries. */
    public PermissionsException(String operation, String status, int attempts, String detail, Throwable cause) {
        super(operation + " failed (" + status + (attempts > 1 ? ", after " + attempts + " attempts" : "") + "): " + detail, cause);
        this.operation = operation;
        this.status = status;
        this.attempts = attempts;
    }

    /** The SpiceDB operation, for example {@code CheckBulkPermissions}. */
    public String operation() {
        return operation;
    }

    /** The gRPC status name of the failure. */
    public String status() {
        return status;
    }

    /** How many times the call was tried (more than one when it was retried on {@code UNAVAILABLE}). */
    public int attempts() {
        return attempts;
    }

    /** True when the failure was a deadline or a timeout. */
    public boolean isTimeout() {
        return "DEADLINE_EXCEEDED".equals(status);
    }
}
