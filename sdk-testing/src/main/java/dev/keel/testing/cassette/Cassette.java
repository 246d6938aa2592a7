package dev.keel.testing.cassette;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a JUnit 5 test against a cassette: the test receives an {@code OkHttpClient} parameter that
 * records and replays through a {@link CassetteRecorder} (and may also take the recorder itself).
 *
 * <pre>{@code
 * @Test
 * @Cassette("weather-in-oslo")
 * void answersWithTheWeather(OkHttpClient http) {
 *     ChatModel model = OpenAiCompatible.builder().model("gpt-5").apiKeyFromEnv("OPENAI_API_KEY")
 *             .httpClient(http).build();
 *     ...
 * }
 * }</pre>
 *
 * <p><b>File.</b> On a method, {@code @Cassette("name")} uses {@code <directory>/name.yaml}. On a class,
 * each test method gets its own cassette {@code <directory>/name/<method>.yaml}. Without a name the
 * test class's simple name is used: {@code <directory>/<Class>/<method>.yaml}. Each invocation of a
 * parameterized or repeated test gets its own file, suffixed {@code -1}, {@code -2}, …; a class-level
 * annotation also covers {@code @Nested} classes. The directory is
 * {@link #directory()}, else the configuration parameter or system property {@code keel.cassette.dir},
 * else {@code src/test/resources/cassettes} (relative to the working directory, which Maven and Gradle
 * set to the module's directory).
 *
 * <p><b>Mode.</b> {@link #mode()}, unless the configuration parameter or system property
 * {@code keel.cassette.mode} or the env var {@code KEEL_CASSETTE_MODE} is set (for example
 * {@code -Dkeel.cassette.mode=all} re-records every cassette). A method's annotation wins over its class's.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
@ExtendWith(CassetteExtension.class)
public @interface Cassette {

    /**
     * The cassette's name (a relative path without {@code .yaml}); empty = derived from the test class.
     *
     * @return the cassette's name
     */
    String value() default "";

    /**
     * When to replay and when to record; overridable from outside, see the class documentation.
     *
     * @return when to replay and when to record
     */
    CassetteMode mode() default CassetteMode.ONCE;

    /**
     * The directory holding cassettes; empty = {@code keel.cassette.dir} or {@code src/test/resources/cassettes}.
     *
     * @return the directory holding cassettes
     */
    String directory() default "";
}
