package dev.keel.authz;

import java.util.Objects;

/**
 * One resource found by {@link PermissionsClient#lookupResources}.
 *
 * @param resourceId    the id of a resource of the looked-up type
 * @param permissionship {@link CheckResult#HAS_PERMISSION} or {@link CheckResult#CONDITIONAL}
 * @param lookedUpAt    the revision the lookup was evaluated at
 */
public record LookupResult(String resourceId, CheckResult permissionship, ZedToken lookedUpAt) {
    /**
     * Requires id and permissionship.
     *
     * @param lookedUpAt the revision the lookup was evaluated at
     * @param permissionship {@link CheckResult#HAS_PERMISSION} or {@link CheckResult#CONDITIONAL}
     * @param resourceId the id of a resource of the looked-up type
     */
    public LookupResult {
        Objects.requireNonNull(resourceId, "resourceId");
        Objects.requireNonNull(permissionship, "permissionship");
    }
}
