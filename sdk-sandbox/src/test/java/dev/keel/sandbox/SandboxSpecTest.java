package dev.keel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxSpecTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAndWorkdir() {
        SandboxSpec spec = SandboxSpec.builder("a").workspace(dir).build();
        assertThat(spec.vcpus()).isEqualTo(1);
        assertThat(spec.memoryMib()).isEqualTo(256);
        assertThat(spec.defaultWorkdir()).isEqualTo(dir.toString());
        assertThat(SandboxSpec.builder("b").build().defaultWorkdir()).isEqualTo("/root");
        assertThat(spec.workspaces()).containsExactly(Workspace.readWrite(dir));
    }

    @Test
    void secretsNeedANetworkAndNeverShowTheirValue() {
        assertThatThrownBy(() -> SandboxSpec.builder("a").secret("api.example.com", "Authorization", "Bearer sk-1").build())
                .isInstanceOf(InvalidSandboxSpecException.class).hasMessageNotContaining("sk-1");
        SandboxSpec spec = SandboxSpec.builder("a").network(NetworkPolicy.denyAll().allow("api.example.com"))
                .secret("api.example.com", "Authorization", "Bearer sk-1").build();
        assertThat(spec.toString()).contains("Authorization").doesNotContain("sk-1");
        assertThatThrownBy(() -> new SecretRule("x.com", "Bad Header", "v")).isInstanceOf(InvalidSandboxSpecException.class);
        assertThatThrownBy(() -> new SecretRule("x.com", "X-Key", "v\r\nInjected: 1"))
                .isInstanceOf(InvalidSandboxSpecException.class);
    }

    @Test
    void denyWinsAndPatternsMatchAsDocumented() {
        NetworkPolicy p = NetworkPolicy.denyAll().allow("*.example.com", "api.github.com").deny("evil.example.com");
        assertThat(p.permits("a.example.com")).isTrue();
        assertThat(p.permits("API.GITHUB.COM")).isTrue();
        assertThat(p.permits("evil.example.com")).isFalse();
        assertThat(p.permits("example.com")).isFalse();
        assertThat(p.permits("notexample.com")).isFalse();
        assertThat(p.permits("github.com")).isFalse();
        assertThat(NetworkPolicy.none().allow("*").deny("*").permits("x.com")).isFalse();
        assertThat(NetworkPolicy.none().permits("x.com")).isFalse();
        assertThatThrownBy(() -> NetworkPolicy.denyAll().allow("bad host")).isInstanceOf(InvalidSandboxSpecException.class);
    }

    @Property(tries = 300)
    void denyAlwaysWins(@ForAll("hosts") String host) {
        assertThat(NetworkPolicy.denyAll().allow("*").deny(host).permits(host)).isFalse();
        assertThat(NetworkPolicy.denyAll().allow(host).permits(host)).isTrue();
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> hosts() {
        return net.jqwik.api.Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10)
                .list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l));
    }

    @Test
    void toStringNeverShowsEnvironmentValues() {
        SandboxSpec spec = SandboxSpec.builder("a").env("API_KEY", "sk-very-secret").build();
        assertThat(spec.toString()).contains("API_KEY").doesNotContain("sk-very-secret");
    }

    @Test
    void invalidValuesAreTypedErrors() {
        assertThatThrownBy(() -> SandboxSpec.builder("a").vcpus(0).build()).isInstanceOf(InvalidSandboxSpecException.class);
        assertThatThrownBy(() -> SandboxSpec.builder("a").memoryMib(10).build()).isInstanceOf(InvalidSandboxSpecException.class);
        assertThatThrownBy(() -> SandboxSpec.builder("a").env("BAD-NAME", "x").build())
                .isInstanceOf(InvalidSandboxSpecException.class);
        assertThatThrownBy(() -> SandboxSpec.builder("a").workdir("rel").build())
                .isInstanceOf(InvalidSandboxSpecException.class);
        assertThatThrownBy(() -> SandboxSpec.builder("a").bootTimeout(Duration.ZERO).build())
                .isInstanceOf(InvalidSandboxSpecException.class);
        assertThatThrownBy(() -> new SandboxSpec("a", List.of(Workspace.readWrite(Path.of("/"))), 1, 256, Map.of(), null,
                Duration.ofSeconds(1), null, null, null)).isInstanceOf(InvalidSandboxSpecException.class);
    }

    @Property(tries = 300)
    void relativePathsAreAlwaysRejected(@ForAll @StringLength(min = 1, max = 30) String name) {
        if (name.startsWith("/") || name.indexOf('\0') >= 0) {
            return;
        }
        Path p;
        try {
            p = Path.of(name);
        } catch (RuntimeException e) {
            return;
        }
        if (p.isAbsolute()) {
            return;
        }
        assertThatThrownBy(() -> Workspace.readWrite(p)).isInstanceOf(InvalidSandboxSpecException.class);
    }
}
