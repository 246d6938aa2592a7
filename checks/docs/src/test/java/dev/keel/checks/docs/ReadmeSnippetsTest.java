package dev.keel.checks.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every Java snippet in README.md and the module READMEs compiles against the modules of this build. */
class ReadmeSnippetsTest {
    private static final Path ROOT = Path.of(System.getProperty("keel.root", "../..")).toAbsolutePath().normalize();

    @TempDir
    Path classes;

    static List<Path> readmes() throws Exception {
        List<Path> found = new ArrayList<>();
        found.add(ROOT.resolve("README.md"));
        try (Stream<Path> dirs = Files.list(ROOT)) {
            dirs.filter(Files::isDirectory).map(d -> d.resolve("README.md")).filter(Files::exists).sorted()
                    .forEach(found::add);
        }
        return found;
    }

    @Test
    void everySnippetCompiles() throws Exception {
        List<Snippets.Snippet> all = new ArrayList<>();
        for (Path readme : readmes()) {
            all.addAll(Snippets.read(readme).snippets());
        }
        assertThat(all).as("snippets found in %s", readmes()).hasSizeGreaterThanOrEqualTo(10);
        List<String> errors = new SnippetCompiler(ROOT).errors(all, classes);
        assertThat(errors).as("README snippets that do not compile (see the snippet convention in README.md)")
                .isEmpty();
    }

    /** The check itself: a broken snippet fails, at its README line, and a directive's variables work. */
    @Test
    void aBrokenSnippetIsReportedAtItsReadmeLine(@TempDir Path dir) throws Exception {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, """
                # Demo

                <!-- java: given(Agent designer) -->
                ```java
                Agent root = Agent.builder("root").model("openai/gpt-5").subAgents(designer).build();
                ```

                ```java
                ChatRequest request = ChatRequest.of(Message.user("hi"));
                int notAString = request.messages();
                ```
                """);
        List<String> errors = new SnippetCompiler(ROOT).errors(Snippets.read(readme).snippets(), classes);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith(ROOT.relativize(readme) + ":10: ").contains("incompatible types");
    }

    @Test
    void anUnknownDirectiveIsAnError(@TempDir Path dir) throws Exception {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "<!-- java: ignore -->\n```java\nint x = 1;\n```\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Snippets.read(readme))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown snippet directive 'ignore'");
    }
}
