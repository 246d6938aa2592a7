package dev.keel.checks.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Guards this check itself: the suite here must really run on JUnit Jupiter 5 (the version pinned for
 * it), not on the build's default JUnit 6 through a dependency-management mistake.
 */
class RunsOnJUnit5Test {
    @Test
    void theJupiterApiAndEngineOnTheClassPathAreTheJUnit5Ones() throws Exception {
        String expected = System.getProperty("keel.expected.jupiter");
        assertThat(expected).startsWith("5.");
        assertThat(Test.class.getPackage().getImplementationVersion()).isEqualTo(expected);
        Class<?> engine = Class.forName("org.junit.jupiter.engine.JupiterTestEngine");
        assertThat(engine.getPackage().getImplementationVersion()).isEqualTo(expected);
    }
}
