package dev.keel.authz.internal.embedded;

import dev.keel.authz.embedded.EmbeddedSpiceDb;
import dev.keel.authz.embedded.SpiceDbLibraryNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds and loads {@code libspicedb.so}. Stateless; JNA caches loaded libraries per path. */
public final class LibraryLocator {
    /** Version of the npm package the setup script installs. */
    public static final String VERSION = "0.7.1";

    private LibraryLocator() {
    }

    /**
     * The library file: {@code explicit} if given, else the system property, else the environment
     * variable, else the cache. A location that is configured but missing is an error (not skipped),
     * so a typo does not silently load a different library.
     */
    public static Path locate(Path explicit) {
        List<Path> searched = new ArrayList<>();
        if (explicit != null) {
            return existing(explicit, "the configured library", searched);
        }
        String property = System.getProperty(EmbeddedSpiceDb.LIBRARY_PROPERTY);
        if (property != null && !property.isBlank()) {
            return existing(Path.of(property), "system property " + EmbeddedSpiceDb.LIBRARY_PROPERTY, searched);
        }
        String env = System.getenv(EmbeddedSpiceDb.LIBRARY_ENV);
        if (env != null && !env.isBlank()) {
            return existing(Path.of(env), "environment variable " + EmbeddedSpiceDb.LIBRARY_ENV, searched);
        }
        return existing(cachePath(), "the cache", searched);
    }

    /** Where scripts/setup/spicedb.sh installs the library. */
    public static Path cachePath() {
        String root = System.getenv("KEEL_CACHE_DIR");
        Path base = root != null && !root.isBlank()
                ? Path.of(root)
                : Path.of(System.getProperty("user.home"), ".cache", "keel");
        return base.resolve("spicedb").resolve(VERSION).resolve("libspicedb.so");
    }

    /** Loads the library, turning link errors into a typed exception. */
    public static NativeSpiceDb load(Path file) {
        try {
            return new NativeSpiceDb(file);
        } catch (UnsatisfiedLinkError e) {
            throw new SpiceDbLibraryNotFoundException("cannot load embedded SpiceDB library " + file + ": " + e.getMessage(),
                    List.of(file), e);
        }
    }

    private static Path existing(Path file, String source, List<Path> searched) {
        searched.add(file);
        if (!Files.isRegularFile(file)) {
            throw new SpiceDbLibraryNotFoundException("embedded SpiceDB library not found (" + source + ")", searched, null);
        }
        return file.toAbsolutePath();
    }
}
