package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Agent;
import dev.keel.agents.AgentModel;
import dev.keel.core.models.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-agent's {@code flavors}: named patches applied, in the order requested, to the raw file before it is read.
 * The examples of docker-agent's flavors page, then the promises a stranger's file could break: order, names the
 * file does not define, a flavor that rewrites the flavors section, typos and bad patches located in the flavor,
 * a flavor that changes the schema version, agent order.
 */
class TeamFlavorsTest {
    @TempDir
    Path dir;

    /** docker-agent's first example: a cheaper model for local runs. */
    private static final String DOCS = """
            agents:
              root:
                model: claude
                instruction: You are a helpful assistant.
                add_date: true
                toolsets:
                  - type: think

            models:
              claude:
                provider: anthropic
                model: claude-sonnet-4-5
                max_tokens: 64000

            flavors:
              cheap:
                models:
                  claude:
                    model: claude-haiku-4-5
              verbose:
                agents:
                  root:
                    instruction: Explain your reasoning in detail.
              no-limit:
                models:
                  claude:
                    max_tokens: null
              no-date:
                agents:
                  root:
                    add_date: null
              with-shell:
                agents:
                  root:
                    toolsets+:
                      - type: shell
              terse:
                agents:
                  root:
                    instruction+:
                      - Answer in one sentence.
              debug:
            """;

    private Team load(String yaml, String... flavors) {
        return Teams.parse(yaml, "team.yaml", TeamFiles.isolated(dir).withFlavors(flavors));
    }

    private static ModelConfig model(Agent a) {
        return (ModelConfig) ((AgentModel.Configured) a.model()).spec();
    }

    private static List<String> tools(Agent a) {
        return a.toolsets().stream().flatMap(t -> t.tools().stream()).map(t -> t.spec().name()).toList();
    }

    @Test
    void aCheapModelSwapChangesOnlyTheModelAndTheTeamSaysWhichFlavorsApplied() {
        Team plain = load(DOCS);
        Team cheap = load(DOCS, "cheap");

        assertThat(model(plain.root()).model()).isEqualTo("claude-sonnet-4-5");
        assertThat(model(cheap.root()).model()).isEqualTo("claude-haiku-4-5");
        // The siblings of the patched key survive.
        assertThat(model(cheap.root()).provider()).isEqualTo("anthropic");
        assertThat(model(cheap.root()).options().maxTokens()).isEqualTo(64000);
        assertThat(cheap.root().instruction()).isEqualTo("You are a helpful assistant.");
        assertThat(plain.flavors()).isEmpty();
        assertThat(cheap.flavors()).containsExactly("cheap");
        assertThat(cheap.toString()).contains("flavors=[cheap]");
        assertThat(plain.toString()).doesNotContain("flavors");
        assertThat(plain.warnings()).isEmpty();
        assertThat(cheap.warnings()).isEmpty();
    }

    @Test
    void aMappingMergesAScalarReplacesAndNullDeletes() {
        assertThat(load(DOCS, "verbose").root().instruction()).isEqualTo("Explain your reasoning in detail.");
        assertThat(model(load(DOCS).root()).options().maxTokens()).isEqualTo(64000);
        assertThat(model(load(DOCS, "no-limit").root()).options().maxTokens()).isNull();
        assertThat(load(DOCS).root().addDate()).isTrue();
        assertThat(load(DOCS, "no-date").root().addDate()).isFalse();
    }

    @Test
    void aPlusKeyAppendsToAListAndPromotesAStringInstruction() {
        assertThat(tools(load(DOCS).root())).containsExactly("think");
        assertThat(tools(load(DOCS, "with-shell").root())).containsExactly("think", "shell");
        assertThat(load(DOCS, "terse").root().instruction())
                .isEqualTo("You are a helpful assistant.\n\nAnswer in one sentence.");
        // The same flavor twice appends twice, as docker-agent does.
        assertThat(load(DOCS, "terse", "terse").root().instruction())
                .isEqualTo("You are a helpful assistant.\n\nAnswer in one sentence.\n\nAnswer in one sentence.");
    }

    @Test
    void anInstructionWrittenAsAListIsJoinedByBlankLines() {
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-4o
                    instruction:
                      - First part.
                      - Second part.
                """);
        assertThat(team.root().instruction()).isEqualTo("First part.\n\nSecond part.");
    }

    @Test
    void aMinusKeyRemovesEveryMatchingToolsetSubAgentAndModel() {
        String yaml = """
                agents:
                  root:
                    model: main
                    sub_agents: [checker, helper]
                    toolsets:
                      - type: shell
                      - type: think
                      - type: shell
                        env: {A: b}
                  checker:
                    model: main
                  helper:
                    model: spare
                models:
                  main: {provider: openai, model: gpt-4o}
                  spare: {provider: openai, model: gpt-4o-mini}
                flavors:
                  slim:
                    agents:
                      root:
                        toolsets-:
                          - type: shell
                        sub_agents-:
                          - checker
                      helper:
                        model: main
                    models-:
                      - spare
                """;
        Team plain = load(yaml);
        assertThat(tools(plain.root())).containsExactly("shell", "think", "shell");

        Team slim = load(yaml, "slim");
        assertThat(tools(slim.root())).containsExactly("think");
        assertThat(slim.root().subAgents()).extracting(Agent::name).containsExactly("helper");
        assertThat(model(slim.agents().get("helper")).model()).isEqualTo("gpt-4o");

        // Without moving helper off 'spare' first, removing the model leaves a dangling reference: a located error.
        String dangling = yaml.replace("      helper:\n        model: main\n", "");
        assertThat(dangling).isNotEqualTo(yaml);
        assertThatThrownBy(() -> load(dangling, "slim")).isInstanceOf(TeamFileException.class)
                .hasMessageContaining("spare");
    }

    @Test
    void aMappingMatcherRemovesOnlyTheEntriesThatContainAllOfIt() {
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-4o
                    toolsets:
                      - type: shell
                        env: {MODE: safe}
                      - type: shell
                        env: {MODE: unsafe}
                      - type: think
                flavors:
                  safe-only:
                    agents:
                      root:
                        toolsets-:
                          - {type: shell, env: {MODE: unsafe}}
                          - {type: think, readonly: true}
                """, "safe-only");
        // The think toolset has no readonly key, so the second matcher matches nothing.
        assertThat(tools(team.root())).containsExactly("shell", "think");
    }

    @Test
    void flavorsApplyInTheOrderRequested() {
        String yaml = """
                agents:
                  root:
                    model: openai/gpt-4o
                    instruction: Base.
                flavors:
                  a:
                    agents:
                      root:
                        model: openai/model-a
                        instruction+: [From a.]
                  b:
                    agents:
                      root:
                        model: openai/model-b
                        instruction+: [From b.]
                """;
        Team ab = load(yaml, "a", "b");
        Team ba = load(yaml, "b", "a");
        assertThat(model(ab.root()).model()).isEqualTo("model-b");
        assertThat(model(ba.root()).model()).isEqualTo("model-a");
        assertThat(ab.root().instruction()).isEqualTo("Base.\n\nFrom a.\n\nFrom b.");
        assertThat(ba.root().instruction()).isEqualTo("Base.\n\nFrom b.\n\nFrom a.");
        assertThat(ab.flavors()).containsExactly("a", "b");
        assertThat(ba.flavors()).containsExactly("b", "a");
    }

    @Test
    void namesTheFileDoesNotDefineAreIgnoredAndAnEmptyFlavorIsANoOp() {
        Team team = load(DOCS, "fleet-wide", "cheap", "debug", "also-unknown");
        assertThat(team.flavors()).containsExactly("cheap", "debug");
        assertThat(model(team.root()).model()).isEqualTo("claude-haiku-4-5");
        assertThat(team.warnings()).isEmpty();

        // A file without a flavors section, loaded with flavors enabled, is the same file.
        Team none = load("""
                agents:
                  root:
                    model: openai/gpt-4o
                """, "cheap");
        assertThat(none.flavors()).isEmpty();
        assertThat(model(none.root()).model()).isEqualTo("gpt-4o");

        Team debug = load(DOCS, "debug");
        assertThat(debug.flavors()).containsExactly("debug");
        assertThat(model(debug.root()).model()).isEqualTo("claude-sonnet-4-5");
        assertThat(debug.root().instruction()).isEqualTo("You are a helpful assistant.");
    }

    @Test
    void aFlavorCannotRedefineOrAddTheFlavorsAppliedAfterIt() {
        String yaml = """
                agents:
                  root:
                    model: openai/gpt-4o
                flavors:
                  hijack:
                    flavors:
                      pick:
                        agents:
                          root:
                            model: openai/evil
                      added:
                        agents:
                          root:
                            model: openai/evil
                  pick:
                    agents:
                      root:
                        model: openai/good
                """;
        Team team = load(yaml, "hijack", "pick", "added");
        assertThat(model(team.root()).model()).isEqualTo("good");
        assertThat(team.flavors()).containsExactly("hijack", "pick");
    }

    @Test
    void aTypoInAFlavorIsADidYouMeanErrorAtTheFlavorsLine() {
        String yaml = """
                agents:
                  root:
                    model: openai/gpt-4o
                    instruction: Base.
                flavors:
                  sloppy:
                    agents:
                      root:
                        instrucion: Typo.
                """;
        // Not enabled: the flavor is not read, and the file is valid.
        assertThat(load(yaml).warnings()).isEmpty();

        assertThatThrownBy(() -> load(yaml, "sloppy")).isInstanceOfSatisfying(TeamFileException.class, e -> {
            assertThat(e.line()).isEqualTo(9);
            assertThat(e.field()).isEqualTo("agents.root.instrucion");
            assertThat(e.problem()).contains("instruction");
        });
    }

    @Test
    void aBadValueSetByAFlavorIsLocatedAtTheFlavorsLine() {
        String yaml = """
                agents:
                  root:
                    model: openai/gpt-4o
                    max_iterations: 3
                flavors:
                  broken:
                    agents:
                      root:
                        max_iterations: lots
                """;
        assertThat(load(yaml).root().maxIterations()).isEqualTo(3);
        assertThatThrownBy(() -> load(yaml, "broken")).isInstanceOfSatisfying(TeamFileException.class, e -> {
            assertThat(e.line()).isEqualTo(9);
            assertThat(e.field()).isEqualTo("agents.root.max_iterations");
        });
    }

    @Test
    void aFlavorCanChangeTheSchemaVersionBecauseItIsAppliedBeforeMigration() {
        String yaml = """
                version: "2"
                agents:
                  root:
                    model: main
                    think: true
                models:
                  main:
                    type: openai
                    model: gpt-4o
                flavors:
                  legacy:
                    version: "0"
                """;
        Team v2 = load(yaml);
        assertThat(v2.schemaVersion()).isEqualTo(2);
        assertThat(v2.warnings()).anyMatch(w -> w.contains("models.main.type"))
                .anyMatch(w -> w.contains("agents.root.think"));

        Team v0 = load(yaml, "legacy");
        assertThat(v0.schemaVersion()).isZero();
        assertThat(v0.warnings()).isEmpty();
        assertThat(model(v0.root()).provider()).isEqualTo("openai");
        assertThat(tools(v0.root())).containsExactly("think");
    }

    @Test
    void agentsKeepTheirDocumentOrderSoTheRootStaysTheFirstAgent() {
        String yaml = """
                agents:
                  root:
                    model: openai/gpt-4o
                    sub_agents: [helper]
                  helper:
                    model: openai/gpt-4o
                flavors:
                  reorder:
                    agents:
                      helper:
                        description: Patched first.
                      extra:
                        model: openai/gpt-4o-mini
                        toolsets+: [{type: think}]
                      root:
                        description: Patched last.
                  drop-root:
                    agents-: [root]
                """;
        Team team = load(yaml, "reorder");
        assertThat(team.root().name()).isEqualTo("root");
        assertThat(team.agents().keySet()).containsExactly("root", "helper", "extra");
        assertThat(team.agents().get("helper").description()).isEqualTo("Patched first.");
        // A '+' key under a key the file does not have yet creates the list.
        assertThat(tools(team.agents().get("extra"))).containsExactly("think");

        Team dropped = load(yaml, "drop-root");
        assertThat(dropped.root().name()).isEqualTo("helper");
        assertThat(dropped.agents().keySet()).containsExactly("helper");
    }

    /** A bad patch: its typed error, line and field. */
    private void assertBadPatch(String flavorBody, int line, String field, String problem) {
        String yaml = """
                agents:
                  root:
                    model: openai/gpt-4o
                    instruction: Base.
                    toolsets:
                      - type: think
                models:
                  main: {provider: openai, model: gpt-4o}
                flavors:
                  bad:
                """ + flavorBody.indent(4);
        assertThat(load(yaml).flavors()).isEmpty(); // not enabled: the file loads
        assertThatThrownBy(() -> load(yaml, "bad")).isInstanceOfSatisfying(TeamFileException.class, e -> {
            assertThat(e.file()).isEqualTo("team.yaml");
            assertThat(e.line()).isEqualTo(line);
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.problem()).contains(problem);
        });
    }

    @Test
    void badPatchesAreTypedErrorsAtTheFlavorsLine() {
        assertBadPatch("models+: [spare]", 11, "flavors.bad.models+", "cannot append to 'models': it is a mapping");
        assertBadPatch("agents:\n  root:\n    toolsets+: {type: shell}", 13, "flavors.bad.agents.root.toolsets+",
                "takes a list");
        assertBadPatch("agents:\n  root:\n    toolsets-: {type: shell}", 13, "flavors.bad.agents.root.toolsets-",
                "takes a list");
        assertBadPatch("agents:\n  root:\n    instruction-: [Base.]", 13, "flavors.bad.agents.root.instruction-",
                "it is a single value");
        assertBadPatch("models-:\n  - {provider: openai}", 12, "flavors.bad.models-", "list the names of the keys");
    }

    @Test
    void aFlavorThatIsNotAMappingIsATypedError() {
        String yaml = """
                agents:
                  root:
                    model: openai/gpt-4o
                flavors:
                  scalar: gpt-4o-mini
                  list: [a, b]
                """;
        assertThat(load(yaml).warnings()).isEmpty();
        assertThatThrownBy(() -> load(yaml, "scalar")).isInstanceOfSatisfying(TeamFileException.class, e -> {
            assertThat(e.line()).isEqualTo(5);
            assertThat(e.field()).isEqualTo("flavors.scalar");
            assertThat(e.problem()).contains("mapping");
        });
        assertThatThrownBy(() -> load(yaml, "list")).isInstanceOfSatisfying(TeamFileException.class, e -> {
            assertThat(e.line()).isEqualTo(6);
            assertThat(e.field()).isEqualTo("flavors.list");
        });
        assertThatThrownBy(() -> load("""
                agents:
                  root:
                    model: openai/gpt-4o
                flavors: [cheap]
                """, "cheap")).isInstanceOfSatisfying(TeamFileException.class, e -> {
            assertThat(e.line()).isEqualTo(4);
            assertThat(e.field()).isEqualTo("flavors");
        });
    }

    @Test
    void theCorpusFileActsOnItsFlavors() throws Exception {
        Path file = Path.of(TeamFlavorsTest.class.getResource("/teams/corpus/top/team-settings.yaml").toURI());
        String yaml = Files.readString(file);
        Team plain = Teams.parse(yaml, "team-settings.yaml", TeamFiles.isolated(dir));
        Team both = Teams.parse(yaml, "team-settings.yaml", TeamFiles.isolated(dir).withFlavors("cheap", "no_shell"));

        assertThat(plain.warnings()).isEmpty();
        assertThat(both.warnings()).isEmpty();
        assertThat(model(plain.root()).model()).isEqualTo("gpt-5");
        assertThat(model(both.root()).model()).isEqualTo("gpt-4o-mini");
        assertThat(tools(plain.root())).contains("shell");
        assertThat(tools(both.root())).doesNotContain("shell").isNotEmpty();
        assertThat(tools(both.agents().get("fixer"))).contains("shell");
    }

    @Test
    void optionsAreImmutableAndKeepTheRequestedOrder() {
        TeamOptions base = TeamFiles.isolated(dir);
        TeamOptions flavored = base.withFlavors("b", "a");
        assertThat(base.flavors()).isEmpty();
        assertThat(flavored.flavors()).containsExactly("b", "a");
        assertThat(flavored.withFlavors(List.of()).flavors()).isEmpty();
        assertThat(flavored.toString()).contains("flavors=[b, a]");
        assertThatThrownBy(() -> base.withFlavors("a", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> flavored.flavors().add("c")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(flavored.withEnv(Map.of("K", "v")).withWorkingDirectory(dir).flavors()).containsExactly("b", "a");
    }
}
