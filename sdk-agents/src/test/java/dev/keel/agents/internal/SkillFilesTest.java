package dev.keel.agents.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.skills.Skill;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code SKILL.md} front matter as written in the wild, and folder scans that must end. */
class SkillFilesTest {
    @TempDir
    Path dir;

    private static Skill skill(String text, String folder) {
        return SkillFiles.parse(text).flatMap(d -> SkillFiles.skill(d, folder, "test", () -> "")).orElse(null);
    }

    @Test
    void frontMatterVariants() {
        assertThat(skill("---\nname: a\ndescription: plain\n---\n\nBody", "x").description()).isEqualTo("plain");
        assertThat(skill("---\r\nname: win\r\ndescription: Windows\r\n---\r\n\r\nBody", "x").name()).isEqualTo("win");
        assertThat(skill("---\nname: \"q\"\ndescription: 'single'\n---\n", "x").description()).isEqualTo("single");
        // not valid YAML (a second colon in a plain scalar): read line by line as docker-agent does
        assertThat(skill("---\nname: node\ndescription: scaffold a project. Usage: run this\n---\nB", "x").description())
                .isEqualTo("scaffold a project. Usage: run this");
        assertThat(skill("---\ndescription: named by its folder\n---\n", "hola").name()).isEqualTo("hola");
        assertThat(SkillFiles.parse("# no front matter")).isEmpty();
        assertThat(SkillFiles.parse("---\nname: unclosed\ndescription: x\n\nBody")).isEmpty();
        assertThat(skill("---\nname: nodesc\n---\n", "x")).isNull();
    }

    @Test
    void optionalFieldsInBothSpellings() {
        Skill list = skill("""
                ---
                name: full
                description: all fields
                license: Apache-2.0
                compatibility: Requires docker
                metadata:
                  author: test-org
                  version: "1.0"
                allowed-tools:
                  - Bash(git:*)
                  - Read
                context: fork
                model: openai/gpt-4o-mini
                toolsets: web, db
                ---
                """, "x");
        assertThat(list.allowedTools()).containsExactly("Bash(git:*)", "Read");
        assertThat(list.toolsets()).containsExactly("web", "db");
        assertThat(list.fork()).isTrue();
        assertThat(list.model()).contains("openai/gpt-4o-mini");
        assertThat(list.license()).isEqualTo("Apache-2.0");
        assertThat(list.compatibility()).isEqualTo("Requires docker");
        assertThat(list.metadata()).isEqualTo(Map.of("author", "test-org", "version", "1.0"));
        assertThat(skill("---\nname: csv\ndescription: d\nallowed-tools: Read, Grep, Write\n---\n", "x").allowedTools())
                .containsExactly("Read", "Grep", "Write");
    }

    @Test
    void scansEndOnSymbolicLinkCyclesAndSkipHiddenFolders() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real-skill"));
        Files.writeString(real.resolve("SKILL.md"), "---\ndescription: A real skill\n---\n");
        Files.createSymbolicLink(real.resolve("link"), dir);
        Files.createSymbolicLink(dir.resolve("self"), dir);
        Path hidden = Files.createDirectories(dir.resolve(".hidden/x"));
        Files.writeString(hidden.resolve("SKILL.md"), "---\ndescription: hidden\n---\n");
        Path nested = Files.createDirectories(dir.resolve("db/migrate"));
        Files.writeString(nested.resolve("SKILL.md"), "---\ndescription: Migrations\n---\nSteps");
        List<Skill> found = SkillFiles.scan(dir, true);
        assertThat(found).extracting(Skill::name).containsExactlyInAnyOrder("real-skill", "migrate");
        assertThat(SkillFiles.scan(dir, false)).extracting(Skill::name).containsExactly("real-skill");
        assertThat(SkillFiles.scan(dir.resolve("missing"), true)).isEmpty();
        assertThat(found.stream().filter(s -> s.name().equals("migrate")).findFirst().orElseThrow().instructions())
                .isEqualTo("Steps");
    }

    @Test
    void projectFoldersFollowDockerAgentsRules() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path nested = Files.createDirectories(home.resolve("org/repo/pkg"));
        Files.createDirectories(home.resolve("org/repo/.git"));
        assertThat(SkillFiles.projectDirectories(nested, home))
                .containsExactly(home.resolve("org"), home.resolve("org/repo"), nested);
        Path outside = Files.createDirectories(dir.resolve("srv/app/a/b"));
        Files.createDirectories(dir.resolve("srv/app/.git"));
        assertThat(SkillFiles.projectDirectories(outside, home))
                .containsExactly(dir.resolve("srv/app"), dir.resolve("srv/app/a"), outside);
        Path plain = Files.createDirectories(dir.resolve("plain"));
        assertThat(SkillFiles.projectDirectories(plain, home)).containsExactly(plain);
    }
}
