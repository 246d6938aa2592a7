package dev.keel.agents.internal.lsp;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Locates the language server installed by scripts/setup/language-servers.sh. */
public final class LanguageServers {
    private LanguageServers() {}

    /** The install folder; fails under CI=true when the server is missing, skips the test otherwise. */
    public static Path home() {
        String override = System.getenv("KEEL_LSP_HOME");
        Path home = override != null ? Path.of(override) : Path.of(System.getProperty("user.home"), ".cache/keel/lsp");
        if (!Files.exists(typescriptServerScript(home))) {
            String msg = "language servers not installed in " + home + "; run scripts/setup/language-servers.sh";
            if ("true".equals(System.getenv("CI"))) {
                fail(msg);
            }
            Assumptions.abort(msg);
        }
        return home;
    }

    private static Path typescriptServerScript(Path home) {
        return home.resolve("node_modules/typescript-language-server/lib/cli.mjs");
    }

    /** The command line of typescript-language-server over stdio: {@code node …/cli.mjs --stdio}. */
    public static List<String> typescript() {
        return List.of("node", typescriptServerScript(home()).toString(), "--stdio");
    }
}
