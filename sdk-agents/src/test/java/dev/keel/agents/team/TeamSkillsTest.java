package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Runner;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-agent's {@code skills}: local {@code SKILL.md} folders found from the working directory (never the team
 * file's folder), name filters, inline skills, named groups with {@code use_skills}, skills published over HTTP,
 * forked skills run as isolated sub-agents — each in a real run against the scripted model server.
 */
class TeamSkillsTest {
    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private Path home;
    private Path repo;
    private Path work;

    @BeforeEach
    void start() throws Exception {
        llm = ScriptedModelServer.start();
        home = Files.createDirectories(dir.resolve("home"));
        repo = Files.createDirectories(home.resolve("org/repo"));
        Files.createDirectories(repo.resolve(".git"));
        work = Files.createDirectories(repo.resolve("service"));
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private static void skill(Path folder, String frontMatter, String body) throws Exception {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("SKILL.md"), "---\n" + frontMatter + "\n---\n\n" + body + "\n");
    }

    private Team load(String yaml) throws Exception {
        Path teamDir = Files.createDirectories(dir.resolve("teamfiles"));
        // a skill next to the team file must not be found: the working directory is where skills are looked up
        skill(teamDir.resolve(".agents/skills/beside-the-file"), "description: must not be found", "no");
        return Teams.parse(yaml, "team.yaml", TeamOptions.defaults(teamDir).withWorkingDirectory(work)
                .withEnv(Map.of("HOME", home.toString())));
    }

    private static List<String> toolResults(RecordedChatRequest request) {
        return request.messages().stream().filter(ToolResultMessage.class::isInstance)
                .map(m -> ((ToolResultMessage) m).content()).toList();
    }

    @Test
    void localSkillsAreListedReadOnDemandAndTheNearerFolderWins() throws Exception {
        skill(home.resolve(".agents/skills/shared"), "name: shared\ndescription: Global version", "GLOBAL BODY");
        skill(home.resolve(".claude/skills/poem"), "name: poem\ndescription: Write a poem", "Rhyme.");
        skill(home.resolve("org/.agents/skills/grouped"), "description: From the grouping folder", "GROUPED");
        skill(repo.resolve(".agents/skills/shared"), "name: shared\ndescription: Project version", "PROJECT BODY");
        skill(repo.resolve(".github/skills/nested/deploy"), "name: deploy\ndescription: 'Deploy: carefully'",
                "Deploy steps.");
        skill(repo.resolve(".agents/skills/.hidden"), "name: hidden\ndescription: hidden", "no");
        skill(repo.resolve(".agents/skills/undescribed"), "name: undescribed", "no");
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    skills: true
                """);
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("read_skill", Map.of("name", "shared")))
                .respond(ScriptedReply.text("done"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThat(runner.run("use the shared skill").output()).isEqualTo("done");
        }
        String system = llm.requests().get(0).systemPrompt();
        assertThat(system).contains("- shared: Project version", "- poem: Write a poem",
                "- grouped: From the grouping folder", "- deploy: Deploy: carefully");
        assertThat(system).doesNotContain("Global version", "hidden", "undescribed", "beside-the-file");
        assertThat(llm.requests().get(0).toolNames()).contains("read_skill", "read_skill_file")
                .doesNotContain("run_skill");
        assertThat(toolResults(llm.requests().get(1))).containsExactly("PROJECT BODY");
    }

    @Test
    void namesFilterLocalSkillsInlineSkillsAndGroupsJoinThem() throws Exception {
        skill(repo.resolve(".agents/skills/commit"), "description: Write commit messages", "Use the imperative.");
        skill(repo.resolve(".agents/skills/other"), "description: Not asked for", "no");
        Team team = load("""
                skills:
                  reviewing:
                    - name: review
                      description: Review a change
                      instructions: Look for missing tests first.
                agents:
                  root:
                    model: openai/gpt-5
                    skills: [commit, absent]
                    use_skills: [reviewing]
                """);
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("read_skill", Map.of("name", "review")))
                .respond(ScriptedReply.toolCall("read_skill", Map.of("name", "other")))
                .respond(ScriptedReply.text("ok"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            runner.run("review this");
        }
        String system = llm.requests().get(0).systemPrompt();
        assertThat(system).contains("- commit: Write commit messages", "- review: Review a change")
                .doesNotContain("Not asked for");
        assertThat(toolResults(llm.requests().get(2))).containsExactly("Look for missing tests first.",
                "unknown skill 'other'; choose one of [commit, review]");
    }

    @Test
    void anUnknownSkillGroupIsALocatedError() {
        assertThatThrownBy(() -> load("""
                skills:
                  reviewing: [review]
                agents:
                  root:
                    model: openai/gpt-5
                    use_skills: [reviewng]
                """)).isInstanceOf(TeamFileException.class)
                .hasMessageContaining("team.yaml:6")
                .hasMessageContaining("unknown skill group 'reviewng'; the top-level skills are [reviewing]");
    }

    @Test
    void skillsFalseGivesNoSkillTools() throws Exception {
        skill(repo.resolve(".agents/skills/commit"), "description: Write commit messages", "x");
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    skills: false
                """);
        llm.respond(ScriptedReply.text("ok"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            runner.run("hi");
        }
        assertThat(llm.requests().get(0).toolNames()).isEmpty();
        assertThat(llm.requests().get(0).systemPrompt()).doesNotContain("commit");
    }

    @Test
    void aForkedSkillRunsAloneWithItsInstructionsItsModelAndOnlyItsAllowedTools() throws Exception {
        skill(repo.resolve(".agents/skills/summarise"), """
                name: summarise
                description: Summarise long material
                context: fork
                model: small
                allowed-tools: think, list_*, Bash(git:*)""", "You summarise. Three bullet points.");
        Team team = load("""
                models:
                  small:
                    provider: openai
                    model: gpt-4o-mini
                agents:
                  root:
                    model: openai/gpt-5
                    instruction: You are the lead.
                    skills: [local]
                    toolsets:
                      - type: think
                      - type: todo
                """);
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("run_skill", Map.of("name", "summarise", "task", "Summarise the RFC.")))
                .respond(ScriptedReply.text("- a\n- b\n- c"))
                .respond(ScriptedReply.text("Here is the summary."));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThat(runner.run("summarise the rfc").output()).isEqualTo("Here is the summary.");
        }
        RecordedChatRequest child = llm.requests().get(1);
        assertThat(child.systemPrompt()).startsWith("You summarise. Three bullet points.")
                .doesNotContain("You are the lead");
        assertThat(child.model()).isEqualTo("gpt-4o-mini");
        assertThat(child.toolNames()).containsExactly("think", "list_todos");
        assertThat(child.lastUserText()).isEqualTo("Summarise the RFC.");
        assertThat(llm.requests().get(0).toolNames()).contains("run_skill", "read_skill", "create_todo");
        assertThat(toolResults(llm.requests().get(2))).containsExactly("- a\n- b\n- c");
    }

    @Test
    void supportingFilesAreReadFromInsideTheSkillFolderOnly() throws Exception {
        Path folder = repo.resolve(".agents/skills/release");
        skill(folder, "description: Cut a release", "Run scripts/release.sh.");
        Files.createDirectories(folder.resolve("scripts"));
        Files.writeString(folder.resolve("scripts/release.sh"), "echo releasing");
        Files.writeString(repo.resolve("secret.txt"), "TOP SECRET");
        Files.createSymbolicLink(folder.resolve("scripts/escape.txt"), repo.resolve("secret.txt"));
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    skills: true
                """);
        llm.respond(ScriptedReply.toolCall("read_skill_file", Map.of("name", "release", "path", "scripts/release.sh")))
                .respond(ScriptedReply.toolCall("read_skill_file", Map.of("name", "release", "path", "../../../secret.txt")))
                .respond(ScriptedReply.toolCall("read_skill_file", Map.of("name", "release", "path", "scripts/escape.txt")))
                .respond(ScriptedReply.toolCall("read_skill_file", Map.of("name", "release", "path", repo.resolve("secret.txt").toString())))
                .respond(ScriptedReply.text("ok"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            runner.run("release");
        }
        List<String> results = toolResults(llm.requests().get(4));
        assertThat(results.get(0)).isEqualTo("echo releasing");
        assertThat(results.subList(1, 4)).allSatisfy(r -> assertThat(r).contains("outside the skill's folder")
                .doesNotContain("TOP SECRET"));
    }

    @Test
    void skillsPublishedOverHttpAreListedAndFetchedWhenUsed() throws Exception {
        try (MockWebServer site = new MockWebServer()) {
            site.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return switch (request.getTarget()) {
                        case "/.well-known/agent-skills/index.json" -> new MockResponse.Builder().body("""
                                {"skills": [
                                  {"name": "changelog", "type": "skill-md", "description": "Write changelog entries",
                                   "url": "/.well-known/agent-skills/changelog/SKILL.md"},
                                  {"name": "bundle", "type": "archive", "description": "An archive",
                                   "url": "/bundle.tar.gz"}
                                ]}""").build();
                        case "/.well-known/agent-skills/changelog/SKILL.md" -> new MockResponse.Builder()
                                .body("---\nname: changelog\ndescription: Write changelog entries\n---\n\nKeep a Changelog.").build();
                        case "/.well-known/agent-skills/changelog/template.md" -> new MockResponse.Builder().body("## [x.y.z]").build();
                        default -> new MockResponse.Builder().code(404).build();
                    };
                }
            });
            site.start();
            String url = site.url("/").toString();
            Team team = load("""
                    agents:
                      root:
                        model: openai/gpt-5
                        skills: ["%s"]
                    """.formatted(url));
            assertThat(site.getRequestCount()).isZero(); // nothing is fetched while loading
            llm.respond(ScriptedReply.toolCall("read_skill", Map.of("name", "changelog")))
                    .respond(ScriptedReply.toolCall("read_skill_file", Map.of("name", "changelog", "path", "template.md")))
                    .respond(ScriptedReply.toolCall("read_skill_file", Map.of("name", "changelog", "path", "../../secret")))
                    .respond(ScriptedReply.text("ok"));
            try (Runner runner = team.runner().models(llm.models()).build()) {
                runner.run("write the changelog");
            }
            assertThat(llm.requests().get(0).systemPrompt()).contains("- changelog: Write changelog entries")
                    .doesNotContain("bundle");
            List<String> results = toolResults(llm.requests().get(3));
            assertThat(results.get(0)).isEqualTo("Keep a Changelog.");
            assertThat(results.get(1)).isEqualTo("## [x.y.z]");
            assertThat(results.get(2)).contains("outside the skill's folder");
            List<String> paths = new java.util.ArrayList<>();
            for (int i = site.getRequestCount(); i > 0; i--) {
                paths.add(site.takeRequest().getTarget());
            }
            assertThat(paths).noneMatch(p -> p.contains("secret"));
        }
    }

    @Test
    void anUnreachableSkillSiteLeavesTheAgentWorking() throws Exception {
        MockWebServer gone = new MockWebServer();
        gone.start();
        String url = gone.url("/").toString();
        gone.close();
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    skills: ["%s"]
                """.formatted(url));
        llm.respond(ScriptedReply.text("still here"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThat(runner.run("hi").output()).isEqualTo("still here");
        }
        assertThat(llm.requests().get(0).toolNames()).doesNotContain("read_skill");
    }

    @Test
    void aSkillIsAlsoACommand() throws Exception {
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    skills:
                      - name: review
                        description: Review a change
                        instructions: Look for missing tests first.
                """);
        llm.respond(ScriptedReply.text("ok"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            runner.runCommand(dev.keel.agents.Session.create(), "/review", "PR", "42");
        }
        assertThat(llm.requests().get(0).lastUserText()).isEqualTo("Use the skill 'review' for: PR 42");
    }
}
