package dev.keel.core.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandTest {

    @Test
    void validatesItsParts() {
        assertThatThrownBy(() -> Command.of(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("program name");
        assertThatThrownBy(() -> Command.of("ls").withTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> Command.of("ls").withOutputLimit(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outputLimit");
    }

    @Test
    void isImmutableAndComparesByValue() {
        byte[] input = {1, 2, 3};
        Command c = Command.of("cat").withStdin(input);
        input[0] = 9;
        assertThat(c.stdin()).containsExactly(1, 2, 3);
        c.stdin()[1] = 9;
        assertThat(c.stdin()).containsExactly(1, 2, 3);
        assertThat(c).isEqualTo(Command.of("cat").withStdin(new byte[] {1, 2, 3}))
                .hasSameHashCodeAs(Command.of("cat").withStdin(new byte[] {1, 2, 3}))
                .isNotEqualTo(Command.of("cat"));
        assertThat(Command.of("ls").timeout()).isEqualTo(Command.DEFAULT_TIMEOUT);
    }

    @Test
    void toStringShowsEnvironmentNamesButNotValues() {
        Command c = Command.of("deploy").withEnv(Map.of("API_KEY", "sk-secret-value", "MODE", "prod"));
        assertThat(c.toString()).contains("API_KEY", "MODE", "deploy").doesNotContain("sk-secret-value", "prod");
    }
}
