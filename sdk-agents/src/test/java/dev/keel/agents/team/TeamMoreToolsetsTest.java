package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Runner;
import dev.keel.agents.Session;
import dev.keel.agents.toolsets.ModelPickerToolset;
import dev.keel.agents.toolsets.PlanToolset;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The toolset types of docker-agent's schema that Keel builds from a team file — model_picker, background_agents,
 * background_jobs, tasks, session_plan, open_url, webhook, file — each driven by a model's tool calls over real HTTP
 * (the scripted model server), with the call that should fail: bad arguments give the model a readable tool error,
 * and what a toolset started is gone once the runner is closed.
 */
class TeamMoreToolsetsTest {
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

    private Team load(String yaml, TeamServices services) {
        return Teams.parse(yaml, "team.yaml", TeamFiles.isolated(dir)
                .withServices(services));
    }

    private static List<String> toolResults(RecordedChatRequest r) {
        return r.messages().stream().filter(ToolResultMessage.class::isInstance).map(m -> ((ToolResultMessage) m).content())
                .toList();
    }

    private static String lastToolResult(RecordedChatRequest r) {
        List<String> all = toolResults(r);
        return all.get(all.size() - 1);
    }

    @Test
    void modelPickerSwitchesTheAgentsModelForTheRestOfTheSessionAndBack() {
        Team team = load("""
                models:
                  fast:
                    provider: openai
                    model: fast-model
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: model_picker
                        models: [fast, openai/strong-model]
                        toon: ".*"
                """, Map.of());
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("change_model", Map.of("model", "gpt-9")))
                .respond(ScriptedReply.toolCall("change_model", Map.of("model", "fast")))
                .respond(ScriptedReply.text("quick answer"))
                .respond(ScriptedReply.text("still quick"))
                .respond(ScriptedReply.toolCall("revert_model", Map.of()))
                .respond(ScriptedReply.text("back"));
        Session session = Session.create();
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThat(runner.run(session, "simple question").output()).isEqualTo("quick answer");
            Session restored = Session.fromJson(session.toJson());
            assertThat(runner.run(restored, "another one").output()).isEqualTo("still quick");
            assertThat(runner.run(restored, "go back").output()).isEqualTo("back");
        }
        List<RecordedChatRequest> r = llm.requests();
        assertThat(r.get(0).model()).isEqualTo("main-model");
        assertThat(r.get(0).toolNames()).contains("change_model", "revert_model");
        assertThat(r.get(1).model()).isEqualTo("main-model");
        assertThat(lastToolResult(r.get(1))).contains("'gpt-9' is not one of the available models", "fast",
                "openai/strong-model");
        assertThat(r.get(2).model()).isEqualTo("fast-model");
        assertThat(r.get(3).model()).as("the choice was saved with the session").isEqualTo("fast-model");
        assertThat(r.get(4).model()).isEqualTo("fast-model");
        assertThat(r.get(5).model()).isEqualTo("main-model");
        assertThat(session.state()).containsKey(ModelPickerToolset.STATE_PREFIX + "root");

        assertThatThrownBy(() -> load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: model_picker
                """, Map.of())).isInstanceOf(TeamFileException.class).hasMessageContaining("needs 'models'");
    }

    @Test
    void backgroundAgentsRunSubAgentsWhileTheCallerGoesOnAndCollectTheirAnswers() {
        Team team = load("""
                agents:
                  root:
                    model: openai/root-model
                    sub_agents: [counter]
                    toolsets:
                      - type: background_agents
                  counter:
                    model: openai/counter-model
                    instruction: Count things.
                """, Map.of());
        assertThat(team.warnings()).isEmpty();
        llm.respondWith(req -> {
            if (req.model().equals("counter-model")) {
                return ScriptedReply.text("42 files");
            }
            int results = toolResults(req).size();
            return switch (results) {
                case 0 -> ScriptedReply.toolCall("run_background_agent", Map.of("agent", "nobody", "task", "x"));
                case 1 -> ScriptedReply.toolCall("run_background_agent", Map.of("agent", "counter",
                        "task", "count the files", "expected_output", "a number"));
                case 2 -> ScriptedReply.toolCall("wait_background_agents", Map.of("task_ids", List.of("agent_task_1"),
                        "timeout_seconds", 120));
                case 3 -> ScriptedReply.toolCall("view_background_agent", Map.of("task_id", "agent_task_9"));
                default -> ScriptedReply.text("the counter says 42");
            };
        });
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(runner.run("count in the background").output()).isEqualTo("the counter says 42");
        }
        List<RecordedChatRequest> root = llm.requests().stream().filter(r -> r.model().equals("root-model")).toList();
        assertThat(root.get(0).toolNames()).contains("run_background_agent", "list_background_agents",
                "view_background_agent", "wait_background_agents", "stop_background_agent");
        assertThat(lastToolResult(root.get(1))).contains("'nobody' is not a sub-agent of 'root'", "counter");
        assertThat(lastToolResult(root.get(2))).contains("started with ID: agent_task_1");
        assertThat(lastToolResult(root.get(3))).contains("Status: completed", "42 files");
        assertThat(lastToolResult(root.get(4))).contains("no background task agent_task_9");
        RecordedChatRequest worker = llm.requests().stream().filter(r -> r.model().equals("counter-model")).findFirst()
                .orElseThrow();
        assertThat(worker.lastUserText()).contains("count the files", "a number");
    }

    /**
     * A background task has no run that would resume it: a call in it that needs a decision the approver defers
     * (suspend) is denied with a reason the model can act on, the task ends with the agent's answer, and the caller's
     * run neither suspends nor fails. Before, the task failed with "suspended at tool call …".
     */
    @Test
    void aBackgroundAgentsCallThatWouldSuspendIsDeniedAndTheTaskStillAnswers() throws Exception {
        Path marker = dir.resolve("ran.txt");
        Team team = load("""
                agents:
                  root:
                    model: openai/root-model
                    sub_agents: [deployer]
                    toolsets:
                      - type: background_agents
                  deployer:
                    model: openai/deployer-model
                    instruction: Deploy.
                    toolsets:
                      - type: shell
                """, Map.of());
        llm.respondWith(req -> {
            if (req.model().equals("deployer-model")) {
                return toolResults(req).isEmpty() ? ScriptedReply.toolCall("shell", Map.of("cmd", "touch " + marker))
                        : ScriptedReply.text("could not deploy: " + lastToolResult(req));
            }
            return switch (toolResults(req).size()) {
                case 0 -> ScriptedReply.toolCall("run_background_agent", Map.of("agent", "deployer", "task", "deploy"));
                case 1 -> ScriptedReply.toolCall("wait_background_agents", Map.of("task_ids", List.of("agent_task_1"),
                        "timeout_seconds", 120));
                default -> ScriptedReply.text("done: " + lastToolResult(req));
            };
        });
        Session session = Session.create();
        try (Runner runner = team.runner().models(llm.models())
                .approver(req -> dev.keel.agents.approval.Approval.suspend()).build()) {
            dev.keel.agents.AgentResult r = runner.run(session, "deploy in the background");
            assertThat(r.stopReason()).isEqualTo(dev.keel.agents.AgentResult.StopReason.COMPLETED);
            assertThat(r.output()).contains("Status: completed", "could not deploy: The tool call was denied",
                    "a background agent cannot wait for one");
        }
        assertThat(marker).doesNotExist();
        assertThat(session.pendingApproval()).isEmpty();
    }

    @Test
    void aStoppedOrAbandonedBackgroundAgentEndsAndTheRunnerClosesWithoutWaitingForTheModel() {
        Team team = load("""
                agents:
                  root:
                    model: openai/root-model
                    sub_agents: [slow]
                    toolsets:
                      - type: background_agents
                  slow:
                    model: openai/slow-model
                """, Map.of());
        llm.respondWith(req -> {
            if (req.model().equals("slow-model")) {
                return ScriptedReply.text("too late").delayed(java.time.Duration.ofMinutes(10));
            }
            return switch (toolResults(req).size()) {
                case 0 -> ScriptedReply.toolCall("run_background_agent", Map.of("agent", "slow", "task", "t1"));
                case 1 -> ScriptedReply.toolCall("stop_background_agent", Map.of("task_id", "agent_task_1"));
                case 2 -> ScriptedReply.toolCall("list_background_agents", Map.of());
                case 3 -> ScriptedReply.toolCall("run_background_agent", Map.of("agent", "slow", "task", "t2"));
                default -> ScriptedReply.text("left it running");
            };
        });
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(runner.run("start and stop").output()).isEqualTo("left it running");
        }
        List<RecordedChatRequest> root = llm.requests().stream().filter(r -> r.model().equals("root-model")).toList();
        assertThat(lastToolResult(root.get(2))).contains("Task agent_task_1 stopped.");
        assertThat(lastToolResult(root.get(3))).contains("agent_task_1 [stopped]");
        // The second task was left running when the run ended, waiting for a reply a minute away: closing the
        // runner stopped it, so no thread is left in it.
        assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("keel-") && isInAgentLoop(t))).isEmpty();
    }

    private static boolean isInAgentLoop(Thread t) {
        return java.util.Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().endsWith("BackgroundAgents"));
    }

    @Test
    void backgroundJobsRunKeepTheirOutputAndAreKilledWhenStoppedOrWhenTheRunnerCloses() throws Exception {
        Team team = load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: background_jobs
                """, Map.of());
        assertThat(team.warnings()).isEmpty();
        String job = "echo $$ > %s; echo started; exec sleep 300";
        llm.respondWith(req -> {
            List<String> results = toolResults(req);
            String last = results.isEmpty() ? "" : results.get(results.size() - 1);
            if (results.isEmpty()) {
                return ScriptedReply.toolCall("run_background_job", Map.of("cmd", " "));
            }
            if (results.size() == 1) {
                return ScriptedReply.toolCall("run_background_job", Map.of("cmd", job.formatted("one.pid")));
            }
            if (last.startsWith("Background job started with ID: job_1")
                    || last.startsWith("Job job_1 [") && !last.contains("started")) {
                return ScriptedReply.toolCall("view_background_job", Map.of("job_id", "job_1"));
            }
            if (last.startsWith("Job job_1 [")) {
                return ScriptedReply.toolCall("stop_background_job", Map.of("job_id", "job_1"));
            }
            if (last.equals("Job job_1 stopped.")) {
                return ScriptedReply.toolCall("run_background_job", Map.of("cmd", job.formatted("two.pid")));
            }
            if (last.startsWith("Background job started with ID: job_2")) {
                return ScriptedReply.toolCall("list_background_jobs", Map.of());
            }
            return ScriptedReply.text("done");
        });
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(runner.run("start a server").output()).isEqualTo("done");
            List<RecordedChatRequest> r = llm.requests();
            assertThat(lastToolResult(r.get(1))).contains("cmd is empty");
            assertThat(r.stream().map(TeamMoreToolsetsTest::lastToolResultOrEmpty))
                    .anySatisfy(s -> assertThat(s).contains("[running]", "started"))
                    .anySatisfy(s -> assertThat(s).contains("Job job_1 stopped."))
                    .anySatisfy(s -> assertThat(s).contains("job_1 [stopped]", "job_2 [running]"));
            assertThat(alive(dir.resolve("one.pid"))).as("stopped job's process").isFalse();
            assertThat(alive(dir.resolve("two.pid"))).as("job still running before close").isTrue();
        }
        assertThat(alive(dir.resolve("two.pid"))).as("closing the runner kills the job").isFalse();
    }

    private static String lastToolResultOrEmpty(RecordedChatRequest r) {
        List<String> all = toolResults(r);
        return all.isEmpty() ? "" : all.get(all.size() - 1);
    }

    private static boolean alive(Path pidFile) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no pid written to " + pidFile);
            }
            Thread.sleep(20);
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void tasksPersistInTheirFileWithDependenciesAndRefuseCyclesAndPathsOutsideTheirFolder() throws Exception {
        Files.createDirectories(dir.resolve("work"));
        Files.writeString(dir.resolve("work/spec.md"), "# The spec\nDo it well.");
        Files.writeString(dir.resolve("secret.md"), "not yours");
        String yaml = """
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: tasks
                        path: work/tasks.json
                """;
        Team team = load(yaml, Map.of());
        assertThat(team.warnings()).isEmpty();
        llm.respondWith(req -> {
            List<String> results = toolResults(req);
            return switch (results.size()) {
                case 0 -> ScriptedReply.toolCall("create_task", Map.of("title", "design", "path", "spec.md",
                        "priority", "high"));
                case 1 -> {
                    String design = JsonObject.parse(results.get(0)).get("id").flatMap(JsonValue::asString).orElseThrow();
                    yield ScriptedReply.toolCall("create_task", Map.of("title", "build", "priority", "critical",
                            "dependencies", List.of(design)));
                }
                case 2 -> ScriptedReply.toolCall("next_task", Map.of());
                case 3 -> ScriptedReply.toolCall("update_task", Map.of("id", id(results.get(0)), "dependencies",
                        List.of(id(results.get(1)))));
                case 4 -> ScriptedReply.toolCall("create_task", Map.of("title", "leak", "path", "../secret.md"));
                case 5 -> ScriptedReply.toolCall("update_task", Map.of("id", id(results.get(0)), "priority", "urgent"));
                case 6 -> ScriptedReply.toolCall("update_task", Map.of("id", id(results.get(0)), "status", "done"));
                case 7 -> ScriptedReply.toolCall("next_task", Map.of());
                default -> ScriptedReply.text("planned");
            };
        });
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(runner.run("plan the work").output()).isEqualTo("planned");
        }
        List<String> results = toolResults(llm.requests().get(llm.requests().size() - 1));
        assertThat(JsonObject.parse(results.get(0)).get("description").flatMap(JsonValue::asString))
                .contains("# The spec\nDo it well.");
        assertThat(JsonObject.parse(results.get(2)).get("title").flatMap(JsonValue::asString))
                .as("the critical task is blocked by its dependency, so the high one is next").contains("design");
        assertThat(results.get(3)).contains("would make a cycle");
        assertThat(results.get(4)).contains("outside the task folder").doesNotContain("not yours");
        assertThat(results.get(5)).contains("priority must be one of");
        assertThat(JsonObject.parse(results.get(7)).get("title").flatMap(JsonValue::asString)).contains("build");

        JsonObject file = JsonObject.parse(Files.readString(dir.resolve("work/tasks.json")));
        JsonObject tasks = file.get("tasks").flatMap(JsonValue::asObject).orElseThrow();
        assertThat(tasks.size()).as("the failed calls wrote nothing").isEqualTo(2);
        // Another load of the team file (another process, another day) sees the same tasks.
        llm.respond(ScriptedReply.toolCall("list_tasks", Map.of("status", "pending"))).respond(ScriptedReply.text("ok"));
        try (Runner runner = load(yaml, Map.of()).runner().models(llm.models()).yolo(true).build()) {
            runner.run("what is pending?");
        }
        JsonArray pending = (JsonArray) JsonValue.parse(lastToolResult(llm.requests().get(llm.requests().size() - 1)));
        assertThat(pending.items()).hasSize(1);
        assertThat(pending.get(0).asObject().orElseThrow().get("title").flatMap(JsonValue::asString)).contains("build");
    }

    private static String id(String taskJson) {
        return JsonObject.parse(taskJson).get("id").flatMap(JsonValue::asString).orElseThrow();
    }

    @Test
    void concurrentWritersOfOneTaskFileLoseNothing() throws Exception {
        Path file = dir.resolve("shared/tasks.json");
        List<dev.keel.agents.toolsets.TasksToolset> writers = List.of(
                dev.keel.agents.toolsets.Toolsets.tasks(file), dev.keel.agents.toolsets.Toolsets.tasks(file));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                var tool = writers.get(i % 2).tools().stream().filter(t -> t.spec().name().equals("create_task"))
                        .findFirst().orElseThrow();
                String title = "t" + i;
                futures.add(pool.submit(() -> tool.call(dev.keel.agents.tool.ToolArguments.of(
                        JsonObject.builder().put("title", title).build()),
                        new dev.keel.agents.tool.ToolContext("a", "s", new java.util.concurrent.ConcurrentHashMap<>()))));
            }
            for (var f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        JsonObject tasks = JsonObject.parse(Files.readString(file)).get("tasks").flatMap(JsonValue::asObject).orElseThrow();
        assertThat(tasks.size()).isEqualTo(40);
    }

    @Test
    void sessionPlanIsAPerSessionPlanBesideTheSharedOne() {
        Team team = load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: plan
                      - type: session_plan
                """, Map.of());
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("read_session_plan", Map.of()))
                .respond(ScriptedReply.toolCall("write_session_plan", Map.of("content", "1. draft\n2. review")))
                .respond(ScriptedReply.toolCall("read_session_plan", Map.of()))
                .respond(ScriptedReply.text("drafted"));
        Session session = Session.create();
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(runner.run(session, "plan it").output()).isEqualTo("drafted");
        }
        assertThat(llm.requests().get(0).toolNames()).contains("write_plan", "read_plan", "write_session_plan",
                "read_session_plan", "exit_plan_mode");
        assertThat(lastToolResult(llm.requests().get(1))).contains("no plan written yet; write one with "
                + "write_session_plan");
        assertThat(lastToolResult(llm.requests().get(3))).isEqualTo("1. draft\n2. review");
        assertThat(session.state()).containsKey(PlanToolset.SESSION_PLAN_STATE).doesNotContainKey(PlanToolset.STATE);
    }

    @Test
    void openUrlShowsTheConfiguredPageThroughTheHostAndIsAToolErrorWhenHeadless() {
        String yaml = """
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: open_url
                        url: https://github.com/example/repo/pulls
                        name: open_pull_requests
                """;
        List<URI> opened = new CopyOnWriteArrayList<>();
        Team team = load(yaml, TeamServices.builder().urlOpener(opened::add).build());
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("open_pull_requests", Map.of("url", "https://evil.example/")))
                .respond(ScriptedReply.text("opened"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(runner.run("show me the PRs").output()).isEqualTo("opened");
        }
        assertThat(opened).as("the model cannot choose the page").containsExactly(
                URI.create("https://github.com/example/repo/pulls"));
        llm.respond(ScriptedReply.toolCall("open_pull_requests", Map.of())).respond(ScriptedReply.text("here is the link"));
        try (Runner runner = load(yaml, Map.of()).runner().models(llm.models()).yolo(true).build()) {
            runner.run("show me the PRs");
        }
        assertThat(lastToolResult(llm.requests().get(3))).contains("no one can see a page here", "UrlOpener",
                "https://github.com/example/repo/pulls");
        assertThatThrownBy(() -> load(yaml.replace("https://github.com/example/repo/pulls", "not a url"), Map.of()))
                .isInstanceOf(TeamFileException.class).hasMessageContaining("not an absolute URL");
    }

    @Test
    void webhookPostsTheProvidersShapeThroughTheRetryingClientAndNeverShowsItsSecretUrl() throws Exception {
        try (MockWebServer hook = new MockWebServer()) {
            hook.enqueue(new MockResponse.Builder().code(500).body("busy").build());
            hook.enqueue(new MockResponse.Builder().code(200).body("ok").build());
            hook.enqueue(new MockResponse.Builder().code(404).body("no such hook").build());
            hook.start();
            String secretUrl = "http://127.0.0.1:" + hook.getPort() + "/services/T000/B000/XsecretTOKEN42";
            String yaml = """
                    agents:
                      root:
                        model: openai/main-model
                        toolsets:
                          - type: webhook
                            allow_private_ips: true
                            webhook_config:
                              provider: slack
                              url: ${env.HOOK_URL}
                              headers:
                                X-Source: ${SOURCE}
                    """;
            Team team = load(yaml, Map.of("HOOK_URL", secretUrl, "SOURCE", "keel"));
            assertThat(team.warnings()).isEmpty();
            llm.respond(ScriptedReply.toolCall("send_webhook", Map.of("message", "deploy failed")))
                    .respond(ScriptedReply.toolCall("send_webhook", Map.of("message", "deploy failed")))
                    .respond(ScriptedReply.toolCall("send_webhook", Map.of("message", "second alert")))
                    .respond(ScriptedReply.toolCall("send_webhook", Map.of("message", "  ")))
                    .respond(ScriptedReply.text("notified"));
            try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
                assertThat(runner.run("tell the team").output()).isEqualTo("notified");
            }
            List<String> results = toolResults(llm.requests().get(4));
            assertThat(hook.getRequestCount()).as(results.toString()).isEqualTo(3);
            assertThat(results.get(0)).contains("Delivered to the slack webhook");
            assertThat(results.get(1)).contains("Suppressed");
            assertThat(results.get(2)).contains("failed", "HTTP 404", "no such hook");
            assertThat(results.get(3)).contains("message is empty");
            assertThat(String.join("\n", results)).doesNotContain("XsecretTOKEN42");
            assertThat(hook.getRequestCount()).isEqualTo(3);
            for (int i = 0; i < 2; i++) { // the 500 and its retry by the team's HTTP client
                RecordedRequest sent = hook.takeRequest();
                assertThat(sent.getHeaders().get("X-Source")).isEqualTo("keel");
                assertThat(JsonObject.parse(sent.getBody().utf8()))
                        .isEqualTo(JsonObject.parse("{\"text\":\"deploy failed\"}"));
            }

            // Without allow_private_ips the loopback endpoint is refused before any connection.
            llm.respond(ScriptedReply.toolCall("send_webhook", Map.of("message", "x"))).respond(ScriptedReply.text("no"));
            try (Runner runner = load(yaml.replace("allow_private_ips: true", "timeout: 5"),
                    Map.of("HOOK_URL", secretUrl, "SOURCE", "keel")).runner().models(llm.models()).yolo(true).build()) {
                runner.run("tell the team");
            }
            String refused = lastToolResult(llm.requests().get(6));
            assertThat(refused).contains("failed").doesNotContain("XsecretTOKEN42");
            assertThat(hook.getRequestCount()).isEqualTo(3);
        }
        // An unset URL variable loads, and the start names it; a telegram hook without chat_id does not load.
        Team unset = load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: webhook
                        webhook_config:
                          provider: discord
                          url: ${env.DISCORD_HOOK}
                """, Map.of());
        assertThat(unset.warnings()).isEmpty();
        llm.respond(ScriptedReply.text("unused"));
        assertThatThrownBy(() -> {
            try (Runner runner = unset.runner().models(llm.models()).build()) {
                runner.run("hi");
            }
        }).hasMessageContaining("DISCORD_HOOK");
        assertThatThrownBy(() -> load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: webhook
                        webhook_config:
                          provider: telegram
                          url: https://api.telegram.org/bot1/sendMessage
                """, Map.of())).isInstanceOf(TeamFileException.class).hasMessageContaining("chat_id");
        assertThatThrownBy(() -> load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: webhook
                        webhook_config:
                          provider: pager
                          url: https://hooks.example.com/x
                """, Map.of())).isInstanceOf(TeamFileException.class).hasMessageContaining("unknown webhook provider");
    }

    @Test
    void fileIsReadAsTheFilesystemToolsetWithItsAllowAndDenyLists() throws Exception {
        Files.createDirectories(dir.resolve("docs"));
        Files.writeString(dir.resolve("docs/a.txt"), "inside");
        Files.writeString(dir.resolve("top.txt"), "top secret");
        Team team = load("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: file
                        allow_list: [docs]
                """, Map.of());
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("read_file", Map.of("path", "docs/a.txt")))
                .respond(ScriptedReply.toolCall("read_file", Map.of("path", "top.txt")))
                .respond(ScriptedReply.text("read"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            runner.run("read");
        }
        List<String> results = toolResults(llm.requests().get(2));
        assertThat(results.get(0)).contains("inside");
        assertThat(results.get(1)).contains("outside the allowed directories").doesNotContain("top secret");
    }
}
