package dev.keel.agents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.internal.SessionScopedToolset;
import dev.keel.agents.internal.ToolListChange;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.toolsets.ConfiguredToolset;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonValue;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The runner's one "tool list changed" signal and per-session tools, used by a toolset the runner knows nothing
 * about: its {@code grant} tool adds a tool to the calling session only, the next model request of that session lists
 * it (through a configuration's {@code only} filter), and another session of the same runner neither sees nor calls it.
 */
class SessionScopedToolsTest {
    private static final String GRANTED = "test.granted";

    /** A toolset whose {@code grant(name)} gives the calling session a tool of that name. */
    private static final class Grants implements Toolset, SessionScopedToolset {
        @Override
        public String name() {
            return "grants";
        }

        @Override
        public List<Tool> tools() {
            return List.of(Tool.of(ToolSpec.of("grant", "Grants a tool", JsonSchema.object()
                    .required("name", JsonSchema.string("the tool")).build()), (args, ctx) -> {
                        String name = args.string("name");
                        ctx.state().compute(GRANTED, (k, v) -> {
                            TreeSet<String> names = granted(v);
                            names.add(name);
                            return JsonArray.of(List.copyOf(names));
                        });
                        ToolListChange.signal(ctx.state());
                        return ToolResult.ok("granted " + name);
                    }));
        }

        @Override
        public List<Tool> sessionTools(Map<String, JsonValue> sessionState) {
            List<Tool> out = new ArrayList<>();
            for (String name : granted(sessionState.get(GRANTED))) {
                out.add(Tool.of(ToolSpec.of(name, "granted"), (args, ctx) -> ToolResult.ok(name + " ran in "
                        + ctx.sessionId())));
            }
            return out;
        }

        private static TreeSet<String> granted(JsonValue v) {
            TreeSet<String> names = new TreeSet<>();
            if (v instanceof JsonArray a) {
                a.items().forEach(item -> item.asString().ifPresent(names::add));
            }
            return names;
        }
    }

    private static ScriptedReply call(String tool) {
        return ScriptedReply.toolCall(tool, Map.of());
    }

    @Test
    void aGrantedToolIsListedForItsSessionOnlyFromTheNextRequestThroughTheFilter() {
        Toolset filtered = ConfiguredToolset.builder(new Grants()).only(List.of("grant", "kept")).build();
        Agent agent = Agent.builder("a").model("openai/gpt-4o").toolsets(filtered).build();
        try (ScriptedModelServer llm = ScriptedModelServer.start();
             Runner runner = Runner.builder(agent).models(llm.models()).yolo(true).build()) {
            Session alice = Session.create("alice");
            Session bob = Session.create("bob");
            llm.respond(ScriptedReply.toolCall("grant", Map.of("name", "kept")))
                    .respond(ScriptedReply.toolCall("grant", Map.of("name", "dropped")))
                    .respond(call("kept")).respond(call("dropped")).respond(ScriptedReply.text("alice done"));
            runner.run(alice, "grant");
            llm.respond(call("kept")).respond(ScriptedReply.text("bob done"));
            runner.run(bob, "use alice's");

            var q = llm.requests();
            assertThat(q.get(0).toolNames()).containsExactly("grant");
            assertThat(q.get(1).toolNames()).containsExactly("grant", "kept");
            assertThat(q.get(2).toolNames()).as("filtered out by only").containsExactly("grant", "kept");
            assertThat(q.get(3).body()).contains("kept ran in alice");
            assertThat(q.get(4).body()).contains("unknown tool 'dropped'");
            assertThat(q.get(5).toolNames()).as("bob's first request").containsExactly("grant");
            assertThat(q.get(6).body()).contains("unknown tool 'kept'").doesNotContain("kept ran in");
            assertThat(ToolListChange.version(alice.state())).isEqualTo(2);
            assertThat(bob.state()).doesNotContainKey(GRANTED).doesNotContainKey(ToolListChange.STATE);
        }
    }

    @Test
    void parallelSignalsAreNeverLost() throws Exception {
        Map<String, JsonValue> state = new ConcurrentHashMap<>();
        int threads = 8;
        int each = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        ToolListChange.signal(state);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(ToolListChange.version(state)).isEqualTo((long) threads * each);
    }
}
