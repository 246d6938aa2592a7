package dev.keel.authz.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.authz.CheckResult;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.Spice;
import dev.keel.authz.SubjectRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

class LibraryLocationTest {

    @Test
    @ResourceLock("system-properties")
    void theSystemPropertyWinsOverTheCacheAndAMissingFileIsNotSkipped(@TempDir Path dir) {
        Path library;
        try (EmbeddedSpiceDb probe = Spice.start()) { // skip / fail like the other tests when the library is absent
            library = EmbeddedSpiceDb.locateLibrary();
        }
        String before = System.getProperty(EmbeddedSpiceDb.LIBRARY_PROPERTY);
        System.setProperty(EmbeddedSpiceDb.LIBRARY_PROPERTY, dir.resolve("nope.so").toString());
        try {
            assertThatThrownBy(EmbeddedSpiceDb::start)
                    .isInstanceOf(SpiceDbLibraryNotFoundException.class)
                    .hasMessageContaining("system property keel.spicedb.library")
                    .satisfies(e -> assertThat(((SpiceDbLibraryNotFoundException) e).searched())
                            .containsExactly(dir.resolve("nope.so")));
            System.setProperty(EmbeddedSpiceDb.LIBRARY_PROPERTY, library.toString());
            try (EmbeddedSpiceDb db = EmbeddedSpiceDb.start()) {
                assertThatThrownBy(db::readSchema).isInstanceOf(dev.keel.authz.PermissionsException.class)
                        .satisfies(e -> assertThat(((dev.keel.authz.PermissionsException) e).status()).isEqualTo("NOT_FOUND"));
            }
        } finally {
            if (before == null) {
                System.clearProperty(EmbeddedSpiceDb.LIBRARY_PROPERTY);
            } else {
                System.setProperty(EmbeddedSpiceDb.LIBRARY_PROPERTY, before);
            }
        }
    }

    @Test
    void oneInstanceServesManyThreads() throws Exception {
        try (EmbeddedSpiceDb db = Spice.start(Spice.DOCS_SCHEMA, Spice.DOCS_RELATIONSHIPS)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<CheckResult>> futures = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    String user = i % 2 == 0 ? "emilia" : "charlie";
                    futures.add(pool.submit(() -> db.check(ObjectRef.of("document", "doc1"), "read", SubjectRef.of("user", user))));
                }
                for (int i = 0; i < futures.size(); i++) {
                    assertThat(futures.get(i).get()).isEqualTo(i % 2 == 0 ? CheckResult.HAS_PERMISSION : CheckResult.NO_PERMISSION);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
