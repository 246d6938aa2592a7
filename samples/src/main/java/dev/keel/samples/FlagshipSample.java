package dev.keel.samples;

import dev.keel.agents.Agent;
import dev.keel.agents.AgentEvents;
import dev.keel.agents.AgentResult;
import dev.keel.agents.AgentEvent;
import dev.keel.agents.AgentListener;
import dev.keel.agents.Runner;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.embedded.SpiceDbLibraryNotFoundException;
import dev.keel.core.ChatModel;
import dev.keel.core.models.Models;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.store.Hit;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.core.observe.Telemetry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The flagship: a help-desk agent that answers from company documents, and never from a document the
 * asking user may not read. Emilia owns the internal roadmap, Beatrice (support) reads the customer
 * playbook, everyone reads the public FAQ; all three ask the same question. All of Keel's parts on embedded defaults, in one process, no network:
 * <ul>
 *   <li>sdk-agents — an {@link Agent} with a {@code search_docs} tool, run by a {@link Runner} whose events
 *       (tool calls, streamed text, usage) are printed live;</li>
 *   <li>sdk-rag — markdown chunked by section, embedded in-process with all-MiniLM-L6-v2, exact vector
 *       search (see {@link CompanyKnowledge});</li>
 *   <li>sdk-authz — the real SpiceDB, embedded, post-filters every search for the asking user, failing
 *       closed; what it withheld is logged by document id, never by content;</li>
 *   <li>sdk-core — the OpenAI-compatible provider streaming over real HTTP;</li>
 *   <li>sdk-testing — with no model configured, the model is Keel's {@link ScriptedModelServer} on
 *       loopback, scripted by {@link OfflineHelpdesk} to act like a model would (labelled as such).</li>
 * </ul>
 * Set {@code KEEL_MODEL} to a model reference ({@code openai/gpt-5-mini} with {@code OPENAI_API_KEY},
 * {@code dmr/ai/qwen2.5} for Docker Model Runner) to use a real model instead.
 *
 * <p>{@code samples/run flagship --trace FILE} writes the runs' spans to FILE as OTLP/JSON: each run, turn, model
 * call and tool call, with the retrieval and the permission filter under the {@code search_docs} call (counts
 * and scores, never document text; prompt and answer content is off).
 */
public final class FlagshipSample {
    static final String QUESTION = "A customer wants a refund and asks when usage-based pricing starts. What can I tell them?";
    static final List<String> USERS = List.of("emilia", "beatrice", "charlie");

    private FlagshipSample() {
    }

    public static void main(String[] args) {
        // the Unix-socket channel triggers a harmless Netty warning about SO_KEEPALIVE; keep the output readable
        System.setProperty("org.slf4j.simpleLogger.log.io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap", "error");
        // the in-process embedding runtime reports GPU probing at WARN; this sample runs on the CPU by design
        System.setProperty("org.slf4j.simpleLogger.log.ai.djl", "error");
        List<String> words = new ArrayList<>(List.of(args));
        Path traceTo = null;
        int trace = words.indexOf("--trace");
        if (trace >= 0) {
            if (trace + 1 >= words.size()) {
                System.err.println("usage: samples/run flagship [--trace FILE] [question...]");
                System.exit(2);
            }
            traceTo = Path.of(words.remove(trace + 1));
            words.remove(trace);
        }
        String question = words.isEmpty() ? QUESTION : String.join(" ", words);
        String reference = System.getenv("KEEL_MODEL");
        try (TraceFile traces = traceTo == null ? null : TraceFile.create(traceTo, "keel-flagship-sample");
             CompanyKnowledge knowledge = CompanyKnowledge.open()) {
            Telemetry telemetry = traces == null ? null : traces.telemetry();
            if (reference != null && !reference.isBlank()) {
                ChatModel model = Models.resolve(reference);
                try (model) {
                    System.out.println("[model " + model.id() + "]");
                    run(knowledge, model, question, System.out, telemetry);
                }
            } else {
                try (ScriptedModelServer llm = OfflineHelpdesk.start();
                     OpenAiCompatible model = OpenAiCompatible.builder().providerName("scripted")
                             .baseUrl(llm.baseUrl()).model("offline-helpdesk").build()) {
                    System.out.println("[no KEEL_MODEL set: the model is a scripted stand-in on " + llm.baseUrl()
                            + " — labelled sample, not a real LLM; everything else is real]");
                    run(knowledge, model, question, System.out, telemetry);
                }
            }
            if (traces != null) {
                System.out.println("[trace: " + traces.spanCount() + " spans written to " + traceTo + " as OTLP/JSON]");
            }
        } catch (SpiceDbLibraryNotFoundException e) {
            System.err.println(e.getMessage());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Asks {@code question} once per user; returns each user's result. */
    static Map<String, AgentResult> run(CompanyKnowledge knowledge, ChatModel model, String question, PrintStream out) {
        return run(knowledge, model, question, out, null);
    }

    /** Asks {@code question} once per user, traced when {@code telemetry} is not null; returns each user's result. */
    static Map<String, AgentResult> run(CompanyKnowledge knowledge, ChatModel model, String question, PrintStream out,
            Telemetry telemetry) {
        out.println(knowledge);
        Map<String, AgentResult> results = new LinkedHashMap<>();
        for (String user : USERS) {
            out.println();
            out.println("=== " + user + " asks: " + question);
            Agent helpdesk = Agent.builder("helpdesk")
                    .description("Answers colleagues' questions from company documents")
                    .instruction("You answer questions from company documents. Always call search_docs first and "
                            + "answer only from what it returns, citing passages like [1]. If it returns nothing "
                            + "relevant, say you found nothing you may share.")
                    .model(model)
                    .toolsets(searchDocs(knowledge, SubjectRef.of("user", user), out))
                    .maxIterations(6)
                    .build();
            Runner.Builder builder = Runner.builder(helpdesk);
            if (telemetry != null) {
                builder.telemetry(telemetry);
            }
            try (Runner runner = builder.build();
                 AgentEvents.Subscription view = runner.events().subscribe(live(out))) {
                results.put(user, runner.run(question));
            }
        }
        return results;
    }

    /** Prints tool calls and their results as they happen and the answer as it streams in. */
    static AgentListener live(PrintStream out) {
        return event -> {
            if (event instanceof AgentEvent.ToolCallRequested r) {
                out.println("  → " + r.call().name() + " " + r.call().arguments());
            } else if (event instanceof AgentEvent.ToolCallFinished f) {
                String result = f.result().replace('\n', ' ');
                out.println("  ← " + (result.length() > 100 ? result.substring(0, 100) + "…" : result)
                        + " (" + f.duration().toMillis() + " ms)");
                out.print("  helpdesk: ");
            } else if (event instanceof AgentEvent.TextDelta d) {
                out.print(d.text());
                out.flush();
            } else if (event instanceof AgentEvent.RunCompleted c) {
                out.println();
                out.println("  [" + c.result().iterations() + " model calls, " + c.result().usage().totalTokens() + " tokens]");
            } else if (event instanceof AgentEvent.RunFailed f) {
                out.println("  run failed: " + f.message());
            }
        };
    }

    /** The agent's only tool: a permission-filtered search for one user. */
    static Toolset searchDocs(CompanyKnowledge knowledge, SubjectRef user, PrintStream audit) {
        ToolSpec spec = ToolSpec.of("search_docs", "Search the company documents the current user may read",
                JsonSchema.object().required("query", JsonSchema.string("What to look for")).build());
        return Toolset.of("company-docs", Tool.of(spec, true, (arguments, context) -> {
            CompanyKnowledge.Search search = knowledge.search(arguments.string("query"), user);
            if (!search.withheld().isEmpty()) {
                audit.println("    (audit) withheld from " + user + ": " + search.withheld());
            }
            return ToolResult.ok(passages(search.hits()));
        }));
    }

    static String passages(List<Hit> hits) {
        if (hits.isEmpty()) {
            return "No matching passages.";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hits.size(); i++) {
            Hit hit = hits.get(i);
            sb.append(String.format(Locale.ROOT, "[%d] %s — %s%n%s%n%n", i + 1, hit.sourceId(),
                    hit.metadata().getOrDefault(Chunk.HEADING_PATH, ""), body(hit.text())));
        }
        return sb.toString().strip();
    }

    /** A section's text on one line, without the headings and keywords already given as metadata. */
    private static String body(String text) {
        return text.lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#") && !line.startsWith("KEYWORDS:"))
                .reduce((a, b) -> a + " " + b).orElse("");
    }
}
