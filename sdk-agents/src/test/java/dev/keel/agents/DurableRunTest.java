package dev.keel.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.session.SessionConflictException;
import dev.keel.agents.session.SessionStore;
import dev.keel.agents.session.StoredSession;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.model.ScriptedToolCall;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Suspend on an approval, resume elsewhere, refuse what must be refused, and recover after a real crash — with the
 * file store and in-memory stores; {@link PostgresDurableRunTest} repeats the cross-JVM part on PostgreSQL.
 */
class DurableRunTest {
    private static final Instant NOON = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private Path journal;

    @BeforeEach
    void setUp() {
        llm = ScriptedModelServer.start();
        journal = dir.resolve("journal.txt");
    }

    @AfterEach
    void tearDown() {
        llm.close();
    }

    private List<String> journal() throws IOException {
        return Files.exists(journal) ? Files.readAllLines(journal, StandardCharsets.UTF_8) : List.of();
    }

    private Runner runner(SessionStore store) {
        return Runner.builder(DurableChild.operator(llm.baseUrl(), journal, false)).sessions(store)
                .clock(Clock.fixed(NOON, ZoneOffset.UTC)).build();
    }

    @Test
    void anAskApprovalSuspendsAndAResumeRunsExactlyTheStoredCallOnceAndRecordsTheDecision() throws Exception {
        llm.respond(ScriptedReply.toolCall("deploy", Map.of("env", "staging")))
           .respond(ScriptedReply.text("Deployed."));
        SessionStore store = SessionStore.inDirectory(dir.resolve("sessions"));
        String token;
        try (Runner first = runner(store)) {
            RunOutcome out = first.run("s-1", "Ship it");
            assertThat(out).isInstanceOf(RunOutcome.Suspended.class);
            RunOutcome.Suspended s = (RunOutcome.Suspended) out;
            assertThat(s.pendingCall().tool()).isEqualTo("deploy");
            assertThat(s.pendingCall().call().arguments()).isEqualTo("{\"env\":\"staging\"}");
            assertThat(s.pendingCall().agent()).isEqualTo("operator");
            assertThat(s.pendingCall().toString()).doesNotContain(s.token());
            token = s.token();
        }
        assertThat(journal()).isEmpty();
        assertThat(llm.requests()).hasSize(1);

        // Another instance (a new runner on the same directory) decides.
        try (Runner second = runner(SessionStore.inDirectory(dir.resolve("sessions")))) {
            RunOutcome done = second.resume(token, Decision.approve("alice", "release window"));
            assertThat(done).isInstanceOf(RunOutcome.Completed.class);
            AgentResult r = ((RunOutcome.Completed) done).result();
            assertThat(r.output()).isEqualTo("Deployed.");
            assertThat(journal()).hasSize(1).first().asString().startsWith("deploy staging ");
            // The model was not asked to redo the call: its second request carries the stored call's result.
            assertThat(llm.requests()).hasSize(2);
            assertThat(llm.requests().get(1).messages()).filteredOn(m -> m instanceof ToolResultMessage)
                    .singleElement().satisfies(m -> assertThat(((ToolResultMessage) m).content()).isEqualTo("deployed to staging"));
            assertThat(r.session().decisions()).singleElement().satisfies(d -> {
                assertThat(d.by()).isEqualTo("alice");
                assertThat(d.reason()).isEqualTo("release window");
                assertThat(d.at()).isEqualTo(NOON);
                assertThat(d.approved()).isTrue();
                assertThat(d.tool()).isEqualTo("deploy");
            });

            // The same token again: refused, nothing runs, the model is not called.
            assertThatThrownBy(() -> second.resume(token, Decision.approve("mallory")))
                    .isInstanceOf(AgentException.ResumeRefused.class);
        }
        assertThat(journal()).hasSize(1);
        assertThat(llm.requests()).hasSize(2);
        // The decision survives in the stored session.
        String stored = store.load("s-1").orElseThrow().json();
        assertThat(Session.fromJson(stored).decisions()).extracting(ApprovalRecord::by).containsExactly("alice");
    }

    @Test
    void aCallAPreToolUseHookRewroteResumesAndRunsWithTheRewrittenArguments() throws Exception {
        // a hook that rewrites arguments (as redact_secrets does) must not make the pending call look stale
        dev.keel.agents.hooks.Hooks rewrite = dev.keel.agents.hooks.Hooks.builder()
                .on(dev.keel.agents.hooks.HookEvent.PRE_TOOL_USE, "deploy", input -> dev.keel.agents.hooks.HookResult
                        .proceed().withUpdatedInput((dev.keel.core.json.JsonObject)
                                dev.keel.core.json.JsonValue.parse("{\"env\":\"staging-eu\"}")))
                .build();
        llm.respond(ScriptedReply.toolCall("deploy", Map.of("env", "staging")))
           .respond(ScriptedReply.text("Deployed."));
        SessionStore store = SessionStore.inDirectory(dir.resolve("sessions"));
        java.util.function.Supplier<Runner> runner = () -> Runner.builder(DurableChild.operator(llm.baseUrl(), journal,
                false).toBuilder().hooks(rewrite).build()).sessions(store).clock(Clock.fixed(NOON, ZoneOffset.UTC)).build();
        String token;
        try (Runner first = runner.get()) {
            RunOutcome.Suspended s = (RunOutcome.Suspended) first.run("s-hook", "Ship it");
            assertThat(s.pendingCall().call().arguments()).isEqualTo("{\"env\":\"staging-eu\"}");
            token = s.token();
        }
        try (Runner second = runner.get()) {
            RunOutcome done = second.resume(token, Decision.approve("alice"));
            assertThat(done).isInstanceOf(RunOutcome.Completed.class);
            assertThatThrownBy(() -> second.resume(token, Decision.approve("mallory")))
                    .isInstanceOf(AgentException.ResumeRefused.class);
        }
        assertThat(journal()).singleElement().asString().startsWith("deploy staging-eu ");
    }

    @Test
    void aForgedOrStaleTokenIsRefusedAndADenialReachesTheModel() throws Exception {
        llm.respond(ScriptedReply.toolCall("deploy", Map.of("env", "prod")))
           .respond(ScriptedReply.text("Understood, not deploying."));
        try (Runner runner = runner(SessionStore.inMemory())) {
            RunOutcome.Suspended s = (RunOutcome.Suspended) runner.run("s-2", "Ship it");
            String token = s.token();
            String forged = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
            assertThatThrownBy(() -> runner.resume(forged, Decision.approve("eve")))
                    .isInstanceOf(AgentException.ResumeRefused.class).hasMessageContaining("does not match");
            assertThatThrownBy(() -> runner.resume("not-a-token", Decision.approve("eve")))
                    .isInstanceOf(AgentException.ResumeRefused.class);
            assertThatThrownBy(() -> runner.run("s-2", "something else"))
                    .isInstanceOf(AgentException.class).hasMessageContaining("waits for a decision");

            RunOutcome out = runner.resume(token, Decision.deny("bob", "change freeze"));
            assertThat(((RunOutcome.Completed) out).result().output()).isEqualTo("Understood, not deploying.");
        }
        assertThat(journal()).isEmpty();
        assertThat(llm.requests().get(1).messages()).filteredOn(m -> m instanceof ToolResultMessage)
                .singleElement().satisfies(m -> assertThat(((ToolResultMessage) m).content())
                        .contains("denied by bob: change freeze"));
    }

    @Test
    void twoInstancesResumingTheSameTokenAtOnceRunTheCallOnce() throws Exception {
        llm.respond(ScriptedReply.toolCall("deploy", Map.of("env", "staging")))
           .respond(ScriptedReply.text("Deployed."));
        SessionStore shared = SessionStore.inMemory();
        String token;
        try (Runner r = runner(shared)) {
            token = ((RunOutcome.Suspended) r.run("s-3", "Ship it")).token();
        }
        // Both instances load the suspended session before either decides.
        CyclicBarrier bothLoaded = new CyclicBarrier(2);
        SessionStore racing = new SessionStore() {
            @Override
            public Optional<StoredSession> load(String id) {
                Optional<StoredSession> s = shared.load(id);
                try {
                    bothLoaded.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return s;
            }

            @Override
            public StoredSession save(String id, String json, long expected) {
                return shared.save(id, json, expected);
            }

            @Override
            public boolean delete(String id) {
                return shared.delete(id);
            }
        };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Object> outcomes = new CopyOnWriteArrayList<>();
        try (Runner a = runner(racing); Runner b = runner(racing)) {
            List<Future<?>> fs = new ArrayList<>();
            for (Runner r : List.of(a, b)) {
                fs.add(pool.submit(() -> {
                    try {
                        outcomes.add(r.resume(token, Decision.approve("ops")));
                    } catch (AgentException.ResumeRefused e) {
                        outcomes.add(e);
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(outcomes).hasSize(2);
        assertThat(outcomes).filteredOn(o -> o instanceof RunOutcome.Completed).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o instanceof AgentException.ResumeRefused).hasSize(1);
        assertThat(journal()).hasSize(1);
    }

    @Test
    void twoInstancesCannotBothContinueOneSession() throws Exception {
        SessionStore store = SessionStore.inMemory();
        store.save("s-4", Session.create("s-4").toJson(), 0);
        long version = store.load("s-4").orElseThrow().version();
        store.save("s-4", Session.create("s-4").toJson(), version); // the other instance wins
        assertThatThrownBy(() -> store.save("s-4", Session.create("s-4").toJson(), version))
                .isInstanceOf(SessionConflictException.class).hasMessageContaining("expected version 1");
        SessionStore files = SessionStore.inDirectory(dir.resolve("files"));
        files.save("s-4", Session.create("s-4").toJson(), 0);
        assertThatThrownBy(() -> files.save("s-4", Session.create("s-4").toJson(), 0))
                .isInstanceOf(SessionConflictException.class);
    }

    /** The child JVM's command line: this test's class and module paths as one class path. */
    static List<String> childJvm(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String cp = System.getProperty("java.class.path", "");
        String mp = System.getProperty("jdk.module.path", "");
        cmd.add("-cp");
        cmd.add(mp.isEmpty() ? cp : cp.isEmpty() ? mp : mp + java.io.File.pathSeparator + cp);
        cmd.add(DurableChild.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void aRunKilledBetweenToolResultsAndTheNextModelCallIsRecoveredWithoutRunningAFinishedToolTwice() throws Exception {
        Path store = dir.resolve("sessions");
        llm.respond(ScriptedReply.toolCalls(ScriptedToolCall.of("fast", Map.of()), ScriptedToolCall.of("slow", Map.of())));
        Process child = new ProcessBuilder(childJvm(llm.baseUrl(), "file:" + store, "s-crash", journal.toString(), "hang"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            // Wait until the fast tool's result is saved and the slow tool is running, then kill -9.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            SessionStore files = SessionStore.inDirectory(store);
            while (!(journal().stream().anyMatch(l -> l.startsWith("slow-start"))
                    && files.load("s-crash").map(s -> s.json().contains("fast done")).orElse(false))) {
                assertThat(child.isAlive()).as("child JVM alive; log: %s", log()).isTrue();
                assertThat(System.nanoTime()).as("child reached the tools").isLessThan(deadline);
                Thread.sleep(20);
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(journal()).filteredOn(l -> l.startsWith("fast")).hasSize(1);
        assertThat(llm.requests()).hasSize(1);

        llm.respond(ScriptedReply.text("All steps done."));
        try (Runner restarted = runner(SessionStore.inDirectory(store))) {
            RunOutcome out = restarted.recover("s-crash");
            assertThat(((RunOutcome.Completed) out).result().output()).isEqualTo("All steps done.");
        }
        // The finished tool did not run again; the one the crash interrupted did; the model was asked only for the
        // next turn, with both results.
        assertThat(journal()).filteredOn(l -> l.startsWith("fast")).hasSize(1);
        assertThat(journal()).filteredOn(l -> l.startsWith("slow ")).hasSize(1);
        assertThat(llm.requests()).hasSize(2);
        assertThat(llm.requests().get(1).messages()).filteredOn(m -> m instanceof ToolResultMessage)
                .extracting(m -> ((ToolResultMessage) m).content()).containsExactly("fast done", "slow done");
    }

    @Test
    void aSuspensionInsideOneOfTwoParallelDelegationsResumesThatDelegationAndRunsNothingTwice() throws Exception {
        Agent operator = DurableChild.operator(llm.baseUrl(), journal, false);
        Agent deployer = Agent.builder("deployer").description("Deploys").instruction("You deploy.")
                .model(operator.model()).toolsets(operator.toolsets()).permissions(operator.permissions()).build();
        Agent checker = Agent.builder("checker").description("Checks").instruction("You check.")
                .model(operator.model()).toolsets(operator.toolsets()).permissions(operator.permissions()).build();
        Agent lead = Agent.builder("lead").instruction("You lead.").model(operator.model())
                .subAgents(deployer, checker).build();
        llm.respondWith(req -> {
            boolean afterTool = req.lastMessage() instanceof ToolResultMessage;
            String system = req.systemPrompt();
            if (system.contains("You lead.")) {
                return afterTool ? ScriptedReply.text("Released.") : ScriptedReply.toolCalls(
                        ScriptedToolCall.of("transfer_task", Map.of("agent", "deployer", "task", "deploy", "expected_output", "ok")),
                        ScriptedToolCall.of("transfer_task", Map.of("agent", "checker", "task", "check", "expected_output", "ok")));
            }
            if (system.contains("You deploy.")) {
                return afterTool ? ScriptedReply.text("deployed") : ScriptedReply.toolCall("deploy", Map.of("env", "prod"));
            }
            return afterTool ? ScriptedReply.text("checked") : ScriptedReply.toolCall("fast", Map.of());
        });
        SessionStore store = SessionStore.inDirectory(dir.resolve("sessions"));
        String token;
        try (Runner runner = Runner.builder(lead).sessions(store).build()) {
            RunOutcome.Suspended s = (RunOutcome.Suspended) runner.run("team-1", "Release");
            assertThat(s.pendingCall().agent()).isEqualTo("deployer");
            assertThat(s.pendingCall().sessionId()).startsWith("team-1/");
            token = s.token();
        }
        assertThat(journal()).filteredOn(l -> l.startsWith("fast")).hasSize(1);
        int before = llm.requests().size();
        assertThat(before).isEqualTo(4); // lead, deployer, checker twice
        try (Runner restarted = Runner.builder(lead).sessions(SessionStore.inDirectory(dir.resolve("sessions"))).build()) {
            RunOutcome out = restarted.resume(token, Decision.approve("carol"));
            assertThat(((RunOutcome.Completed) out).result().output()).isEqualTo("Released.");
        }
        assertThat(journal()).filteredOn(l -> l.startsWith("fast")).hasSize(1);
        assertThat(journal()).filteredOn(l -> l.startsWith("deploy prod")).hasSize(1);
        // Only the deployer (after its tool) and the lead (with both answers) were asked again.
        assertThat(llm.requests()).hasSize(before + 2);
        assertThat(llm.requests().get(before + 1).messages()).filteredOn(m -> m instanceof ToolResultMessage)
                .extracting(m -> ((ToolResultMessage) m).content()).containsExactly("deployed", "checked");
    }

    @Test
    void withoutAStoreASuspendingApproverStopsTheRunAndTheSessionResumesInMemory() {
        llm.respond(ScriptedReply.toolCall("deploy", Map.of("env", "dev"))).respond(ScriptedReply.text("ok"));
        try (Runner runner = Runner.builder(DurableChild.operator(llm.baseUrl(), journal, false))
                .approver(dev.keel.agents.approval.Approver.SUSPEND).build()) {
            Session session = Session.create();
            AgentResult r = runner.run(session, "go");
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.SUSPENDED);
            PendingApproval p = session.pendingApproval().orElseThrow();
            // The session can travel as JSON (to another instance) and be resumed there.
            Session copy = Session.fromJson(session.toJson());
            assertThat(runner.resume(copy, p.token(), Decision.approve("dan")).output()).isEqualTo("ok");
            assertThat(copy.pendingApproval()).isEmpty();
            assertThatThrownBy(() -> runner.resume(copy, p.token(), Decision.approve("dan")))
                    .isInstanceOf(AgentException.ResumeRefused.class);
        }
    }

    private String log() throws IOException {
        Path p = dir.resolve("child.log");
        return Files.exists(p) ? Files.readString(p) : "";
    }
}
