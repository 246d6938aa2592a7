package dev.keel.authz;

/** The answer to a permission check. Only {@link #HAS_PERMISSION} allows access. */
public enum CheckResult {
    /** The subject has the permission. */
    HAS_PERMISSION,
    /** The subject does not have the permission. */
    NO_PERMISSION,
    /** The answer depends on caveat context that was not supplied; Keel's filters treat it as deny. */
    CONDITIONAL;

    /**
     * True only for {@link #HAS_PERMISSION}.
     *
     * @return true only for {@link #HAS_PERMISSION}
     */
    public boolean allowed() {
        return this == HAS_PERMISSION;
    }
}
