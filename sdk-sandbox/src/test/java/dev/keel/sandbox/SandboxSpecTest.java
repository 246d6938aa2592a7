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
        assertThatThrownBy(() -> SecretRule.of("x.com", "Bad Header", "v")).isInstanceOf(InvalidSandboxSpecException.class);
        assertThatThrownBy(() -> SecretRule.of("x.com", "X-Key", "v\r\nInjected: 1"))
                .isInstanceOf(InvalidSandboxSpecException.class).hasMessageNotContaining("Injected");
    }

    @Test
    void aSecretIsBoundToSchemeHostAndPortWithHttpsTheDefault() {
        assertThat(SecretRule.of("api.example.com", "Authorization", "v").origin()).isEqualTo("https://api.example.com:443");
        assertThat(SecretRule.of("API.example.com:8443", "X-Key", "v").origin()).isEqualTo("https://api.example.com:8443");
        assertThat(SecretRule.of("http://127.0.0.1:8080", "X-Key", "v").origin()).isEqualTo("http://127.0.0.1:8080");
        assertThat(SecretRule.of("http://api.example.com", "X-Key", "v").port()).isEqualTo(80);
        assertThat(SecretRule.of("https://[::1]:9443/", "X-Key", "v").origin()).isEqualTo("https://[::1]:9443");
        assertThat(SecretRule.of("*.example.com", "X-Key", "v").hostPattern()).isEqualTo("*.example.com");
        for (String bad : List.of("ftp://example.com", "*", "https://*:443", "10.0.0.0/8", "example.com:0",
                "example.com:70000", "https://", "a b")) {
            assertThatThrownBy(() -> SecretRule.of(bad, "X-Key", "v")).as(bad).isInstanceOf(InvalidSandboxSpecException.class);
        }
        assertThat(SecretRule.of("api.example.com", "X-Key", "sk-123").toString()).contains("https://api.example.com:443")
                .doesNotContain("sk-123");
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
                Duration.ofSeconds(1), null, null, null, null)).isInstanceOf(InvalidSandboxSpecException.class);
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
