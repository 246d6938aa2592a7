package dev.keel.agents.team;

import java.nio.file.Path;
import java.util.Map;

/**
 * How the team tests load a file written inline: named {@code team.yaml}, working in {@code dir}, and isolated
 * from the machine's environment (only the variables a test passes are set).
 */
final class TeamFiles {
    private TeamFiles() {}

    static TeamOptions isolated(Path dir, Map<String, String> env) {
        return TeamOptions.defaults(dir).withWorkingDirectory(dir).withEnv(env);
    }

    static TeamOptions isolated(Path dir) {
        return isolated(dir, Map.of());
    }

    static Team parse(Path dir, String yaml) {
        return Teams.parse(yaml, "team.yaml", isolated(dir));
    }

    static Team parse(Path dir, String yaml, Map<String, String> env) {
        return Teams.parse(yaml, "team.yaml", isolated(dir, env));
    }
}
