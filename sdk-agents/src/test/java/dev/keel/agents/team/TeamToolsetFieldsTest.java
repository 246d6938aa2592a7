package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Runner;
import dev.keel.agents.Session;
import dev.keel.agents.mcp.McpServers;
import dev.keel.agents.toolsets.DeferredToolset;
import dev.keel.agents.toolsets.PlanToolset;
import dev.keel.agents.toolsets.UserPrompter;
import dev.keel.core.json.JsonObject;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Toolset fields of team files acted on in real runs against the scripted model server: {@code defer} (tools
 * found with search_tool and loaded with add_tool), a toolset's {@code model} (the call after its tools ran),
 * fetch's address and domain guards and headers, filesystem allow and deny lists, {@code toon} (matching tools'
 * JSON output reaches the model as TOON).
 */
class TeamToolsetFieldsTest {
    @TempDir
    Path dir;
    private ScriptedModelServer llm;

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private Team load(String yaml, Map<String, String> env) {
        return TeamFiles.parse(dir, yaml, env);
    }

    private static List<String> toolResults(RecordedChatRequest r) {
        return r.messages().stream().filter(ToolResultMessage.class::isInstance).map(m -> ((ToolResultMessage) m).content())
                .toList();
    }

    @Test
    void deferredToolsAreFoundLoadedAndThenCalledAndTheToolsetModelReadsTheirOutput() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "the answer is 42");
        Team team = load("""
                models:
                  fast:
                    provider: openai
                    model: fast-model
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: filesystem
                        defer: true
                        model: fast
                        name: files
                      - type: think
                """, Map.of());
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("search_tool", Map.of("query", "rdfil")))
                .respond(ScriptedReply.toolCall("add_tool", Map.of("name", "read_file")))
                .respond(ScriptedReply.toolCall("read_file", Map.of("path", "notes.txt")))
                .respond(ScriptedReply.toolCall("think", Map.of("thought", "42 it is")))
                .respond(ScriptedReply.text("42"));
        Session session = Session.create();
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(runner.run(session, "what is the answer?").output()).isEqualTo("42");
        }
        List<RecordedChatRequest> calls = llm.requests();
        assertThat(calls.get(0).toolNames()).containsExactly("think", "search_tool", "add_tool");
        assertThat(toolResults(calls.get(1)).get(0)).contains("read_file:", "read_multiple_files:")
                .doesNotContain("write_file");
        assertThat(calls.get(1).toolNames()).doesNotContain("read_file");
        assertThat(calls.get(2).toolNames()).contains("read_file").doesNotContain("write_file");
        assertThat(toolResults(calls.get(3))).last().asString().isEqualTo("the answer is 42");
        // The filesystem toolset's model reads its output, once; then the agent's model again.
        assertThat(calls).extracting(RecordedChatRequest::model)
                .containsExactly("main-model", "main-model", "main-model", "fast-model", "main-model");
        assertThat(session.state().get(DeferredToolset.ACTIVE_STATE)).hasToString("[\"read_file\"]");
        assertThat(team.root().toolsets().get(0).name()).isEqualTo("files");
    }

    @Test
    void deferringNamedToolsKeepsTheOthersAndUnknownNamesAreToolErrors() throws Exception {
        Team team = load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: filesystem
                        defer: [write_file, edit_file]
                """, Map.of());
        llm.respond(ScriptedReply.toolCall("add_tool", Map.of("name", "rm_rf")))
                .respond(ScriptedReply.toolCall("write_file", Map.of("path", "x.txt", "content", "x")))
                .respond(ScriptedReply.text("ok"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            runner.run("write");
        }
        List<RecordedChatRequest> calls = llm.requests();
        assertThat(calls.get(0).toolNames()).contains("read_file", "search_tool", "add_tool")
                .doesNotContain("write_file", "edit_file");
        assertThat(toolResults(calls.get(1)).get(0)).contains("no deferred tool is named 'rm_rf'");
        assertThat(toolResults(calls.get(2)).get(1)).contains("write_file"); // not loaded: an unknown tool
        assertThat(dir.resolve("x.txt")).doesNotExist();
    }

    @Test
    void fetchFromATeamFileRefusesPrivateAddressesUnlessAllowedAndSendsHeaders() throws Exception {
        try (MockWebServer site = new MockWebServer()) {
            site.enqueue(new MockResponse.Builder().body("internal docs").build());
            site.start();
            String url = "http://127.0.0.1:" + site.getPort() + "/doc";
            Team closed = load("""
                    agents:
                      root:
                        model: openai/main-model
                        toolsets:
                          - type: fetch
                    """, Map.of());
            Team open = load("""
                    agents:
                      root:
                        model: openai/main-model
                        toolsets:
                          - type: fetch
                            allow_private_ips: true
                            allowed_domains: [127.0.0.1]
                            headers:
                              Authorization: Bearer ${DOCS_TOKEN}
                    """, Map.of("DOCS_TOKEN", "t0ken"));
            assertThat(open.warnings()).isEmpty();
            llm.respond(ScriptedReply.toolCall("fetch", Map.of("urls", List.of(url)))).respond(ScriptedReply.text("no"))
                    .respond(ScriptedReply.toolCall("fetch", Map.of("urls", List.of(url)))).respond(ScriptedReply.text("yes"));
            try (Runner runner = closed.runner().models(llm.models()).yolo(true).build()) {
                runner.run("read the doc");
            }
            try (Runner runner = open.runner().models(llm.models()).yolo(true).build()) {
                runner.run("read the doc");
            }
            assertThat(toolResults(llm.requests().get(1)).get(0)).contains("non-public address 127.0.0.1");
            assertThat(toolResults(llm.requests().get(3)).get(0)).contains("internal docs");
            assertThat(site.getRequestCount()).isEqualTo(1);
            assertThat(site.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer t0ken");
        }
        assertThatThrownBy(() -> load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: fetch
                        allowed_domains: [example.com]
                        blocked_domains: [evil.example.com]
                """, Map.of())).isInstanceOf(TeamFileException.class).hasMessageContaining("blocked_domains")
                .hasMessageContaining("cannot be combined");
    }

    @Test
    void filesystemListsFromATeamFileConfineTheTools() throws Exception {
        Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/key"), "TOPSECRET");
        Files.createSymbolicLink(dir.resolve("shortcut"), dir.resolve("secrets"));
        Team team = load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: filesystem
                        allow_list: ["."]
                        deny_list: [./secrets]
                        ignore_vcs: false
                        post_edit:
                          - path: "*.md"
                            cmd: "echo checked > ${file}.ok"
                """, Map.of());
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("read_file", Map.of("path", "shortcut/key")))
                .respond(ScriptedReply.toolCall("read_file", Map.of("path", "docs/../secrets/key")))
                .respond(ScriptedReply.toolCall("write_file", Map.of("path", "README.md", "content", "# hi")))
                .respond(ScriptedReply.text("done"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            runner.run("look around");
        }
        assertThat(toolResults(llm.requests().get(1)).get(0)).contains("denied directory").doesNotContain("TOPSECRET");
        assertThat(toolResults(llm.requests().get(2)).get(1)).contains("denied directory").doesNotContain("TOPSECRET");
        assertThat(Files.readString(dir.resolve("README.md.ok"))).isEqualTo("checked\n");
    }

    @Test
    void userPromptAsksTheHostApplicationAndIsAToolErrorWhenHeadless() throws Exception {
        String yaml = """
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: user_prompt
                """;
        List<UserPrompter.Question> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        Team team = Teams.parse(yaml, "team.yaml", TeamFiles.isolated(dir)
                .withServices(TeamServices.builder().userPrompter(q -> {
                    asked.add(q);
                    return UserPrompter.Answer.accept(JsonObject.builder().put("region", "eu-west-1").build());
                }).build()));
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("user_prompt", Map.of("message", "Which region?", "schema",
                        Map.of("type", "object", "properties", Map.of("region", Map.of("type", "string"))))))
                .respond(ScriptedReply.text("eu-west-1 it is"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThat(runner.run("deploy").output()).isEqualTo("eu-west-1 it is");
        }
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0).message()).isEqualTo("Which region?");
        assertThat(asked.get(0).title()).isEqualTo("Question");
        assertThat(asked.get(0).agent()).isEqualTo("root");
        assertThat(asked.get(0).schema().toJson()).contains("\"region\"");
        assertThat(JsonObject.parse(toolResults(llm.requests().get(1)).get(0)))
                .isEqualTo(JsonObject.parse("{\"action\":\"accept\",\"content\":{\"region\":\"eu-west-1\"}}"));

        Team headless = load(yaml, Map.of());
        llm.respond(ScriptedReply.toolCall("user_prompt", Map.of("message", "Which region?")))
                .respond(ScriptedReply.text("I will assume eu-west-1"));
        try (Runner runner = headless.runner().models(llm.models()).build()) {
            runner.run("deploy");
        }
        RecordedChatRequest after = llm.requests().get(3);
        ToolResultMessage refused = (ToolResultMessage) after.lastMessage();
        assertThat(refused.content()).contains("no user can answer here", "UserPrompter");
    }

    @Test
    void thePlanIsSharedByTheAgentsOfASessionAndSavedWithIt() throws Exception {
        Team team = load("""
                agents:
                  planner:
                    model: openai/main-model
                    handoffs: [root]
                    toolsets:
                      - type: plan
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: plan
                        tools: [read_plan]
                """, Map.of());
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("exit_plan_mode", Map.of()))
                .respond(ScriptedReply.toolCall("write_plan", Map.of("content", "1. build\n2. ship")))
                .respond(ScriptedReply.toolCall("handoff", Map.of("agent", "root")))
                .respond(ScriptedReply.toolCall("read_plan", Map.of()))
                .respond(ScriptedReply.text("shipping"));
        Session session = Session.create();
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(runner.run(session, "plan then ship").output()).isEqualTo("shipping");
        }
        assertThat(toolResults(llm.requests().get(1)).get(0)).contains("no plan written yet");
        assertThat(llm.requests().get(3).toolNames()).contains("read_plan").doesNotContain("write_plan");
        assertThat(toolResults(llm.requests().get(4))).last().asString().isEqualTo("1. build\n2. ship");
        assertThat(Session.fromJson(session.toJson()).state().get(PlanToolset.STATE))
                .hasToString("\"1. build\\n2. ship\"");
    }

    @Test
    void envFilesVersionPinsAndLifecycleTimeoutsActOnRealProcesses() throws Exception {
        Files.writeString(dir.resolve(".env"), "# comment\nexport FROM_FILE=\"file value\"\nOVERRIDE=from-file\n");
        String script = dev.keel.agents.mcp.McpServers.script("server-everything");
        Team team = load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: shell
                        env_file: .env
                        env:
                          OVERRIDE: from-env
                      - type: mcp
                        command: node
                        args: [%s, stdio]
                        version: "nodejs/node@v22"
                        env_file: [.env]
                        tools: [get-env, trigger-long-running-operation]
                        lifecycle:
                          call_timeout: 10s
                          startup_timeout: 60s
                          restart: always
                """.formatted(script), Map.of());
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("shell", Map.of("cmd", "echo \"$FROM_FILE/$OVERRIDE\"")))
                .respond(ScriptedReply.toolCall("get-env", Map.of()))
                .respond(ScriptedReply.toolCall("trigger-long-running-operation", Map.of("duration", 60, "steps", 3)))
                .respond(ScriptedReply.text("done"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            runner.run("check");
        }
        assertThat(toolResults(llm.requests().get(1)).get(0)).contains("file value/from-env");
        assertThat(toolResults(llm.requests().get(2)).get(1)).contains("FROM_FILE", "file value");
        ToolResultMessage slow = (ToolResultMessage) llm.requests().get(3).lastMessage();
        assertThat(slow.content()).containsIgnoringCase("time").doesNotContain("Long running operation completed");

        Team missing = load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: mcp
                        command: gopls-not-installed
                        version: "golang/tools@v0.21.0"
                """, Map.of());
        llm.respond(ScriptedReply.text("unused"));
        try (Runner runner = missing.runner().models(llm.models()).build()) {
            assertThatThrownBy(() -> runner.run("go")).hasMessageContaining("gopls-not-installed")
                    .hasMessageContaining("install golang/tools@v0.21.0");
        }
    }

    @Test
    void harnessAgentsLoadAndFailAtTheirFirstTurnNamingTheCli() {
        Team team = load("""
                agents:
                  root:
                    harness:
                      type: claude-code
                """, Map.of());
        assertThat(team.warnings()).singleElement().asString().contains("claude-code CLI");
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThatThrownBy(() -> runner.run("hello")).hasRootCauseInstanceOf(MissingPrerequisiteException.class)
                    .hasMessageContaining("'claude' CLI");
        }
        assertThat(llm.requests()).isEmpty();
    }

    @Test
    void fieldsThatCannotActAreWarningsThatSayWhy() {
        Team team = load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: mcp
                        command: node
                        working_dir: ./server
                        config: {verbose: true}
                        remote_is_not_here: 1
                """, Map.of());
        assertThat(team.warnings()).anySatisfy(w -> assertThat(w).contains("config: ignored"))
                .noneSatisfy(w -> assertThat(w).contains("toon"));
    }

    @Test
    void scriptToolsWhoseNamesMatchSendTheirJsonAsToonAndTheOthersAsWritten() throws Exception {
        String users = "{\"users\":[{\"id\":1,\"name\":\"Ada\"},{\"id\":2,\"name\":\"Bob\"},{\"id\":3,\"name\":\"Cy: x\"}],"
                + "\"count\":3}";
        Files.writeString(dir.resolve("users.json"), users);
        Files.writeString(dir.resolve("config.json"), "{\"debug\":true,\"level\":2}");
        Files.writeString(dir.resolve("broken.txt"), "not json: {\"a\":");
        Team team = load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: script
                        toon: "^list_.*, ^get_user$"
                        shell:
                          list_users:
                            cmd: cat users.json
                          show_config:
                            cmd: cat config.json
                          list_broken:
                            cmd: cat broken.txt
                          list_failing:
                            cmd: cat users.json; exit 3
                """, Map.of());
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("list_users", Map.of()))
                .respond(ScriptedReply.toolCall("show_config", Map.of()))
                .respond(ScriptedReply.toolCall("list_broken", Map.of()))
                .respond(ScriptedReply.toolCall("list_failing", Map.of()))
                .respond(ScriptedReply.text("done"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(runner.run("go").output()).isEqualTo("done");
        }
        List<String> results = toolResults(llm.requests().get(4));
        assertThat(results.get(0)).isEqualTo("""
                users[3]{id,name}:
                  1,Ada
                  2,Bob
                  3,"Cy: x"
                count: 3""");
        assertThat(results.get(1)).isEqualTo("{\"debug\":true,\"level\":2}");
        assertThat(results.get(2)).isEqualTo("not json: {\"a\":");
        assertThat(results.get(3)).contains("exit code 3", users);
    }

    @Test
    void anMcpServersJsonOutputIsToonOnlyForTheMatchingTools() throws Exception {
        String node = McpServers.script("server-filesystem");
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("src/a.txt"), "a");
        Files.writeString(dir.resolve("data.json"), "{\"rows\":[{\"k\":1},{\"k\":2},{\"k\":3}]}");
        Team team = load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: mcp
                        command: node
                        args: ["%s", "%s"]
                        toon: directory_tree,list_directory
                        defer: [read_text_file]
                """.formatted(node, dir), Map.of());
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("directory_tree", Map.of("path", dir.resolve("src").toString())))
                .respond(ScriptedReply.toolCall("list_directory", Map.of("path", dir.toString())))
                .respond(ScriptedReply.toolCall("add_tool", Map.of("name", "read_text_file")))
                .respond(ScriptedReply.toolCall("read_text_file", Map.of("path", dir.resolve("data.json").toString())))
                .respond(ScriptedReply.text("done"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(runner.run("go").output()).isEqualTo("done");
        }
        List<String> results = toolResults(llm.requests().get(4));
        // directory_tree answers pretty-printed JSON; the model gets TOON.
        assertThat(results.get(0)).isEqualTo("[1]{name,type}:\n  a.txt,file");
        // list_directory matches but answers plain text: unchanged.
        assertThat(results.get(1)).contains("[FILE] data.json", "[DIR] src");
        // read_text_file does not match (and was deferred, so the wrapper sits under the deferral): JSON as written.
        assertThat(results.get(3)).isEqualTo("{\"rows\":[{\"k\":1},{\"k\":2},{\"k\":3}]}");
    }

    @Test
    void aBadExpressionIsALocatedError() {
        assertThatThrownBy(() -> load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: think
                        toon: "list_.*,search_(["
                """, Map.of())).isInstanceOf(TeamFileException.class)
                .hasMessageContaining("team.yaml:6")
                .hasMessageContaining("agents.root.toolsets[0].toon")
                .hasMessageContaining("'search_([' is not a regular expression");
    }

    @Test
    void aTopLevelMcpsEntrysToonAppliesWhereverItIsReferenced() {
        Team team = load("""
                mcps:
                  files:
                    command: node
                    args: [server.js]
                    toon: "^read_"
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: mcp
                        ref: files
                        toon: "^list_"
                        instruction: use the files
                """, Map.of());
        assertThat(team.warnings()).isEmpty();
        dev.keel.agents.tool.Toolset t = team.root().toolsets().get(0);
        assertThat(t).isInstanceOf(dev.keel.agents.toolsets.ConfiguredToolset.class);
        Object inner = ((dev.keel.agents.toolsets.ConfiguredToolset) t).delegate();
        assertThat(inner).isInstanceOfSatisfying(dev.keel.agents.internal.ToonToolset.class, toon -> {
            assertThat(toon.encodes("read_file")).isTrue();
            assertThat(toon.encodes("list_directory")).isTrue();
            assertThat(toon.encodes("write_file")).isFalse();
        });
    }
}
