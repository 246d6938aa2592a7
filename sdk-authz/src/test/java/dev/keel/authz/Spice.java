package dev.keel.authz;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keel.authz.embedded.EmbeddedSpiceDb;
import dev.keel.authz.embedded.SpiceDbLibraryNotFoundException;

/**
 * Test helper: starts a real embedded SpiceDB. Without the library, tests are skipped locally and
 * FAIL when CI=true (the setup script must have installed it).
 */
public final class Spice {
    private Spice() {
    }

    /** Starts an instance, or skips / fails as described. */
    public static EmbeddedSpiceDb start() {
        try {
            EmbeddedSpiceDb.locateLibrary();
        } catch (SpiceDbLibraryNotFoundException e) {
            if ("true".equals(System.getenv("CI"))) {
                fail("embedded SpiceDB library missing in CI: " + e.getMessage());
            }
            assumeTrue(false, "embedded SpiceDB library missing, skipping: " + e.getMessage());
        }
        return EmbeddedSpiceDb.start();
    }

    /** Starts an instance with {@code schema} and the relationships in relationship text form. */
    public static EmbeddedSpiceDb start(String schema, String relationships) {
        EmbeddedSpiceDb db = start();
        try {
            db.writeSchema(schema);
            if (!relationships.isBlank()) {
                db.touch(RelationshipText.parse(relationships));
            }
            return db;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** The seeds' scenario schema. */
    public static final String DOCS_SCHEMA = """
            definition user {}

            definition document {
                relation owner: user
                relation viewer: user | user:*
                permission read = owner + viewer
                permission edit = owner
            }
            """;

    /** The seeds' scenario relationships. */
    public static final String DOCS_RELATIONSHIPS = """
            // doc1: internal roadmap, only its owner
            document:doc1#owner@user:emilia
            // doc2: customer playbook
            document:doc2#viewer@user:beatrice
            // doc3: public FAQ
            document:doc3#viewer@user:emilia
            document:doc3#viewer@user:beatrice
            document:doc3#viewer@user:charlie
            """;
}
