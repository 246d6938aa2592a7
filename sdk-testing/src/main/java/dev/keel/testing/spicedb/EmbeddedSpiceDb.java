package dev.keel.testing.spicedb;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a fresh, real embedded SpiceDB loaded with a schema and relationships, and
 * injects it as a {@link dev.keel.authz.PermissionsClient} (or
 * {@link dev.keel.authz.embedded.EmbeddedSpiceDb}) parameter.
 *
 * <pre>{@code
 * @EmbeddedSpiceDb(schema = "schema.zed", relationships = "relationships.txt")
 * class PermissionAwareRagTest {
 *     @Test
 *     void emiliaSeesOnlyWhatSheMayRead(PermissionsClient spicedb) { ... }
 * }
 * }</pre>
 *
 * Files are classpath resources relative to the test class (or absolute with a leading {@code /}),
 * else paths relative to the working directory. Inline text can be given instead. By default one
 * instance serves the whole class; {@link Lifecycle#PER_METHOD} starts one per test method. Instances
 * are disposed after use. Without the native library the tests are skipped, or fail when
 * {@code CI=true}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(EmbeddedSpiceDbExtension.class)
public @interface EmbeddedSpiceDb {

    /**
     * Schema file (SpiceDB schema language).
     *
     * @return the schema file, or empty for none
     */
    String schema() default "";

    /**
     * Inline schema text, used when {@link #schema()} is empty.
     *
     * @return the schema text
     */
    String schemaText() default "";

    /**
     * Relationships file (one {@code document:doc1#owner@user:emilia} per line, comments allowed).
     *
     * @return the relationships file, or empty for none
     */
    String relationships() default "";

    /**
     * Inline relationships text, in addition to {@link #relationships()}.
     *
     * @return the relationships text
     */
    String relationshipsText() default "";

    /**
     * Fresh instance per class (default) or per test method.
     *
     * @return the lifecycle
     */
    Lifecycle lifecycle() default Lifecycle.PER_CLASS;

    /** How long an instance lives. */
    enum Lifecycle {
        /** One instance for all tests of the class. */
        PER_CLASS,
        /** A fresh instance for every test method. */
        PER_METHOD
    }
}
