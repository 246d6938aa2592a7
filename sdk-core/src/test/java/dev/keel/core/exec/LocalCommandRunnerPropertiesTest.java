package dev.keel.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/** Invariants of {@link LocalCommandRunner} over random inputs (each try runs a real process). */
class LocalCommandRunnerPropertiesTest {
    final LocalCommandRunner runner = LocalCommandRunner.create();

    @Property(tries = 40)
    void catEchoesAnyTextExactly(@ForAll @StringLength(max = 20_000) String text) {
        ExecResult r = runner.run(Command.of("cat").withStdin(text));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo(text);
    }

    @Property(tries = 40)
    void outputIsCappedAtTheLimitAndFlaggedExactlyWhenCut(@ForAll @IntRange(min = 0, max = 300_000) int produced,
                                                          @ForAll @IntRange(min = 1, max = 200_000) int limit) {
        ExecResult r = runner.run(Command.shell("head -c " + produced + " /dev/zero | tr '\\0' z").withOutputLimit(limit));
        assertThat(r.stdout()).hasSize(Math.min(produced, limit));
        assertThat(r.truncated()).isEqualTo(produced > limit);
        assertThat(r.ok()).isTrue();
    }
}
