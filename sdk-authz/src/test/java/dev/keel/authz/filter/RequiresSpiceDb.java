package dev.keel.authz.filter;

import dev.keel.authz.embedded.EmbeddedSpiceDb;
import dev.keel.authz.embedded.SpiceDbLibraryNotFoundException;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/** jqwik hook: skips a container when the embedded SpiceDB library is missing, except in CI (where tests must fail). */
public final class RequiresSpiceDb implements SkipExecutionHook {
    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        if ("true".equals(System.getenv("CI"))) {
            return SkipResult.doNotSkip();
        }
        try {
            EmbeddedSpiceDb.locateLibrary();
            return SkipResult.doNotSkip();
        } catch (SpiceDbLibraryNotFoundException e) {
            return SkipResult.skip("embedded SpiceDB library missing: " + e.getMessage());
        }
    }
}
