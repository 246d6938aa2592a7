package dev.keel.agents.skills;

import dev.keel.agents.internal.RemoteSkills;
import dev.keel.agents.internal.SkillFiles;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import okhttp3.OkHttpClient;

/**
 * Where skills are found. A source is read when an agent first needs its skills (not when a team file is
 * loaded); a source that cannot be read logs a warning and contributes none, as in docker-agent.
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface SkillSource {
    /**
     * Reads the skills of this source.
     *
     * @return the skills, in precedence order (a later skill of the same name wins)
     */
    List<Skill> load();

    /**
     * docker-agent's {@code local} source: {@code ~/.codex/skills}, {@code ~/.claude/skills} and
     * {@code ~/.agents/skills}, then, for each project folder from the outermost down to the working directory,
     * {@code .claude/skills}, {@code .github/skills} and {@code .agents/skills}; a nearer folder's skill replaces
     * a farther one of the same name. Project folders are the folders below the home directory down to the
     * working directory, or elsewhere those from the repository root (the nearest folder with {@code .git}).
     *
     * @param workingDirectory the working directory (a team's, by default the process's)
     * @param home             the user's home directory
     * @return the source
     */
    static SkillSource local(Path workingDirectory, Path home) {
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        Objects.requireNonNull(home, "home");
        return new SkillSource() {
            @Override
            public List<Skill> load() {
                return List.copyOf(SkillFiles.local(workingDirectory, home).values());
            }

            @Override
            public String toString() {
                return "SkillSource.local[" + workingDirectory + "]";
            }
        };
    }

    /**
     * The skills in the sub-folders of {@code directory} that hold a {@code SKILL.md}, searched to any depth
     * (hidden folders skipped).
     *
     * @param directory the folder
     * @return the source
     */
    static SkillSource directory(Path directory) {
        Objects.requireNonNull(directory, "directory");
        return new SkillSource() {
            @Override
            public List<Skill> load() {
                return SkillFiles.scan(directory, true);
            }

            @Override
            public String toString() {
                return "SkillSource.directory[" + directory + "]";
            }
        };
    }

    /**
     * Skills published over HTTP with an Agent Skills discovery index at
     * {@code URL/.well-known/agent-skills/index.json} (or {@code /.well-known/skills/index.json}), or at
     * {@code url} itself when it ends in {@code .json}. Instructions are fetched when a skill is used.
     *
     * @param url  the site or index URL
     * @param http the client to fetch with
     * @return the source
     */
    static SkillSource remote(URI url, OkHttpClient http) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(http, "http");
        return new SkillSource() {
            @Override
            public List<Skill> load() {
                return RemoteSkills.load(url, http);
            }

            @Override
            public String toString() {
                return "SkillSource.remote[" + url + "]";
            }
        };
    }

    /**
     * Fixed skills.
     *
     * @param skills the skills
     * @return the source
     */
    static SkillSource of(Skill... skills) {
        List<Skill> list = List.of(skills);
        return () -> list;
    }
}
