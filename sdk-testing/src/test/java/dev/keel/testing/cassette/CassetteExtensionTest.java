package dev.keel.testing.cassette;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code @Cassette} on a class and on a method, driven by JUnit itself. */
@Cassette(directory = CassetteExtensionTest.DIR, mode = CassetteMode.ALL)
class CassetteExtensionTest {
    static final String DIR = "target/cassette-extension-test";
    private static MockWebServer server;

    @BeforeAll
    static void start() throws IOException {
        server = new MockWebServer();
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/plain").body("recorded through JUnit").build());
        server.enqueue(new MockResponse.Builder().body("second").build());
        server.start();
    }

    @AfterAll
    static void cassettesWereWrittenAfterTheirTests() throws IOException {
        server.close();
        Path classLevel = Path.of(DIR, "CassetteExtensionTest", "eachMethodOfAnAnnotatedClassGetsItsOwnCassette.yaml");
        assertThat(classLevel).exists();
        assertThat(Files.readString(classLevel)).contains("recorded through JUnit");
    }

    private static CassetteMode expected(CassetteMode declared) {
        return CassetteExtension.mode(declared, k -> Optional.ofNullable(System.getProperty(k)), System::getenv);
    }

    @Test
    void eachMethodOfAnAnnotatedClassGetsItsOwnCassette(OkHttpClient http, CassetteRecorder recorder)
            throws IOException {
        assertThat(recorder.file()).isEqualTo(
                Path.of(DIR, "CassetteExtensionTest", "eachMethodOfAnAnnotatedClassGetsItsOwnCassette.yaml"));
        assertThat(recorder.mode()).isEqualTo(expected(CassetteMode.ALL));
        assertThat(http).isSameAs(recorder.client());
        try (Response r = http.newCall(new Request.Builder().url(server.url("/hello")).build()).execute()) {
            assertThat(r.body().string()).isEqualTo("recorded through JUnit");
        }
        assertThat(recorder.recordedCount()).isEqualTo(recorder.isRecording() ? 1 : 0);
    }

    @Test
    @Cassette(value = "named/custom", directory = DIR, mode = CassetteMode.NEW_EPISODES)
    void aMethodAnnotationWinsOverTheClass(CassetteRecorder recorder) {
        assertThat(recorder.file()).isEqualTo(Path.of(DIR, "named", "custom.yaml"));
        assertThat(recorder.mode()).isEqualTo(expected(CassetteMode.NEW_EPISODES));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "b"})
    void eachInvocationOfAParameterizedTestGetsItsOwnCassette(String param, CassetteRecorder recorder) {
        String expected = "eachInvocationOfAParameterizedTestGetsItsOwnCassette-" + ("a".equals(param) ? 1 : 2) + ".yaml";
        assertThat(recorder.file()).isEqualTo(Path.of(DIR, "CassetteExtensionTest", expected));
    }

    @Nested
    class Inner {
        @Test
        void nestedClassesUseTheEnclosingAnnotation(CassetteRecorder recorder) {
            assertThat(recorder.file()).isEqualTo(Path.of(DIR, "Inner", "nestedClassesUseTheEnclosingAnnotation.yaml"));
        }
    }

    @Test
    void theModeCanBeOverriddenByPropertyOrEnvironment() {
        Map<String, String> none = Map.of();
        Map<String, String> prop = Map.of(CassetteExtension.MODE_PROPERTY, "all");
        Map<String, String> env = Map.of(CassetteExtension.MODE_ENV, "new-episodes");
        assertThat(CassetteExtension.mode(CassetteMode.NONE, k -> Optional.ofNullable(none.get(k)), none::get))
                .isEqualTo(CassetteMode.NONE);
        assertThat(CassetteExtension.mode(CassetteMode.NONE, k -> Optional.ofNullable(none.get(k)), env::get))
                .isEqualTo(CassetteMode.NEW_EPISODES);
        assertThat(CassetteExtension.mode(CassetteMode.NONE, k -> Optional.ofNullable(prop.get(k)), env::get))
                .isEqualTo(CassetteMode.ALL);
        assertThatThrownBy(() -> CassetteExtension.mode(CassetteMode.NONE, k -> Optional.of("often"), none::get))
                .isInstanceOf(ExtensionConfigurationException.class).hasMessageContaining(CassetteExtension.MODE_PROPERTY)
                .hasMessageContaining("unknown cassette mode 'often'");
    }
}
