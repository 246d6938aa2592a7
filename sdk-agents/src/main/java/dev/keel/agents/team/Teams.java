package dev.keel.agents.team;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads team files in the cagent / Docker Agent YAML format:
 *
 * <pre>{@code
 * version: "2"
 * agents:
 *   root:                      # the first agent is the root
 *     model: openai/gpt-5      # inline provider/model, or a name from `models`
 *     instruction: Break requirements into small iterations.
 *     sub_agents: [engineer]
 *   engineer:
 *     model: claude
 *     toolsets:
 *       - type: filesystem
 *       - type: shell
 *       - type: mcp
 *         ref: github
 * models:
 *   claude: {provider: anthropic, model: claude-sonnet-4-5, max_tokens: 64000}
 * mcps:
 *   github: {command: npx, args: ["-y", "@modelcontextprotocol/server-github"], env: {GITHUB_TOKEN: $GITHUB_TOKEN}}
 * permissions:
 *   allow: ["read_*"]
 *   deny: ["shell:cmd=rm *"]
 * }</pre>
 *
 * Errors are {@link TeamFileException}s naming file, line and field. Stateless and thread-safe.
 */
public final class Teams {
    private Teams() {}

    /**
     * Loads {@code file} with {@link TeamOptions#defaults} for the file's directory.
     *
     * @param file the team file
     * @return the loaded team
     */
    public static Team load(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        return load(file, TeamOptions.defaults(dir));
    }

    /**
     * Loads {@code file} with the given options.
     *
     * @param file the team file
     * @param options the options
     * @return the loaded team
     */
    public static Team load(Path file, TeamOptions options) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read team file " + file, e);
        }
        return parse(text, file.getFileName().toString(), options);
    }

    /**
     * Parses team YAML; {@code fileName} is used in error messages only.
     *
     * @param yaml the YAML text
     * @param fileName the file name for error messages
     * @param options the options
     * @return the team
     */
    public static Team parse(String yaml, String fileName, TeamOptions options) {
        return new TeamLoader(fileName, options).load(yaml);
    }
}
