package dev.keel.testing.spicedb;

import dev.keel.authz.PermissionsClient;
import dev.keel.authz.RelationshipText;
import dev.keel.authz.embedded.SpiceDbLibraryNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

/**
 * JUnit 5 extension behind {@link EmbeddedSpiceDb}: starts the instance, loads schema and
 * relationships, resolves {@link PermissionsClient} / {@link dev.keel.authz.embedded.EmbeddedSpiceDb}
 * parameters, and disposes the instance. Holds no static state; instances live in the JUnit
 * extension store, keyed by class or method.
 */
public final class EmbeddedSpiceDbExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(EmbeddedSpiceDbExtension.class);
    private static final String KEY = "spicedb";

    /** Created by JUnit for {@link EmbeddedSpiceDb}; not meant to be registered by hand. */
    public EmbeddedSpiceDbExtension() {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        EmbeddedSpiceDb config = config(context);
        if (config.lifecycle() == EmbeddedSpiceDb.Lifecycle.PER_CLASS) {
            context.getStore(NS).put(KEY, start(config, context.getRequiredTestClass()));
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        EmbeddedSpiceDb config = config(context);
        if (config.lifecycle() == EmbeddedSpiceDb.Lifecycle.PER_METHOD) {
            context.getStore(NS).put(KEY, start(config, context.getRequiredTestClass()));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (config(context).lifecycle() == EmbeddedSpiceDb.Lifecycle.PER_METHOD) {
            closeIn(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        closeIn(context);
    }

    private static void closeIn(ExtensionContext context) {
        dev.keel.authz.embedded.EmbeddedSpiceDb db =
                context.getStore(NS).remove(KEY, dev.keel.authz.embedded.EmbeddedSpiceDb.class);
        if (db != null) {
            db.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == PermissionsClient.class || type == dev.keel.authz.embedded.EmbeddedSpiceDb.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            // look only in this context's own store level, method first, then class
            dev.keel.authz.embedded.EmbeddedSpiceDb db = c.getStore(NS).get(KEY, dev.keel.authz.embedded.EmbeddedSpiceDb.class);
            if (db != null) {
                return db;
            }
        }
        throw new ParameterResolutionException("no embedded SpiceDB is running for " + context.getDisplayName()
                + " (PER_METHOD instances are not available to @BeforeAll methods or constructors)");
    }

    private static EmbeddedSpiceDb config(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            EmbeddedSpiceDb found = c.getAnnotation(EmbeddedSpiceDb.class);
            if (found != null) {
                return found;
            }
        }
        throw new ExtensionConfigurationException("@EmbeddedSpiceDb not found on " + testClass.getName());
    }

    private static dev.keel.authz.embedded.EmbeddedSpiceDb start(EmbeddedSpiceDb config, Class<?> testClass) {
        String schema = !config.schema().isEmpty() ? read(config.schema(), testClass) : config.schemaText();
        String relationships = (config.relationships().isEmpty() ? "" : read(config.relationships(), testClass))
                + "\n" + config.relationshipsText();
        dev.keel.authz.embedded.EmbeddedSpiceDb db;
        try {
            db = dev.keel.authz.embedded.EmbeddedSpiceDb.start();
        } catch (SpiceDbLibraryNotFoundException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw e;
            }
            throw new TestAbortedException("embedded SpiceDB library not installed: " + e.getMessage());
        }
        try {
            if (!schema.isBlank()) {
                db.writeSchema(schema);
            }
            var rels = RelationshipText.parse(relationships);
            if (!rels.isEmpty()) {
                db.touch(rels);
            }
            return db;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private static String read(String name, Class<?> testClass) {
        try (InputStream in = open(name, testClass)) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path file = Path.of(name);
            if (Files.isRegularFile(file)) {
                return Files.readString(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
        throw new ExtensionConfigurationException("@EmbeddedSpiceDb: '" + name + "' is neither a classpath resource next to "
                + testClass.getName() + " nor a file");
    }

    private static InputStream open(String name, Class<?> testClass) {
        InputStream in = testClass.getResourceAsStream(name);
        if (in == null) {
            ClassLoader loader = testClass.getClassLoader();
            in = loader == null ? null : loader.getResourceAsStream(name.startsWith("/") ? name.substring(1) : name);
        }
        return in;
    }
}
