package dev.keel.agents;

import dev.keel.agents.session.SessionStore;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.postgres.PostgresCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;

/**
 * A service instance in its own JVM, for the tests that need a real restart or a real crash:
 * {@code DurableChild <model base URL> <store> <session> <journal file> <mode>} where store is {@code file:DIR} or
 * {@code postgres:JDBC-URL}. Modes: {@code suspend} runs until the approval suspends and prints the token;
 * {@code hang} runs and blocks forever in the {@code slow} tool (the test kills the JVM); {@code workflow-hang} does
 * the same in the second step of a sequential workflow ({@link #pipeline}). The tools append what
 * they do to the journal file, so the test can count executions across processes.
 */
public final class DurableChild {
    private DurableChild() {}

    static SessionStore store(String spec) {
        if (spec.startsWith("file:")) {
            return SessionStore.inDirectory(Path.of(spec.substring(5)));
        }
        return SessionStore.postgres(PostgresCluster.dataSource(spec.substring("postgres:".length())));
    }

    static void append(Path journal, String line) {
        try {
            Files.writeString(journal, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The team: an operator with {@code deploy} (needs approval), {@code fast} and {@code slow} (both allowed). */
    static Agent operator(String baseUrl, Path journal, boolean slowHangs) {
        OpenAiCompatible model = OpenAiCompatible.builder().baseUrl(baseUrl).model("scripted").apiKey("test-key")
                .http(HttpConfig.builder().maxRetries(0).build()).build();
        ToolSpec envSpec = ToolSpec.of("deploy", "Deploys", JsonSchema.object().required("env", JsonSchema.string()).build());
        Tool deploy = Tool.of(envSpec, (args, ctx) -> {
            append(journal, "deploy " + args.string("env") + " " + ctx.callId());
            return ToolResult.ok("deployed to " + args.string("env"));
        });
        Tool fast = Tool.of(ToolSpec.of("fast", "Fast step", JsonSchema.object().build()), (args, ctx) -> {
            append(journal, "fast " + ctx.callId());
            return ToolResult.ok("fast done");
        });
        Tool slow = Tool.of(ToolSpec.of("slow", "Slow step", JsonSchema.object().build()), (args, ctx) -> {
            append(journal, "slow-start " + ctx.callId());
            if (slowHangs) {
                new CountDownLatch(1).await(); // until the JVM is killed
            }
            append(journal, "slow " + ctx.callId());
            return ToolResult.ok("slow done");
        });
        return Agent.builder("operator").instruction("You operate.").model(model)
                .toolsets(Toolset.of("ops", deploy, fast, slow))
                .permissions(dev.keel.agents.approval.Permissions.none().allowing("fast", "slow")).build();
    }

    /** A sequential workflow: {@code prep} answers, then the {@link #operator operator} works. */
    static Agent pipeline(String baseUrl, Path journal, boolean slowHangs) {
        Agent operator = operator(baseUrl, journal, slowHangs);
        Agent prep = Agent.builder("prep").description("Prepares").instruction("You prepare.").model(operator.model())
                .build();
        return Agent.builder("pipeline").workflow(Workflow.sequential(prep, operator)).build();
    }

    public static void main(String[] args) {
        String baseUrl = args[0];
        SessionStore store = store(args[1]);
        String session = args[2];
        Path journal = Path.of(args[3]);
        String mode = args[4];
        boolean hangs = mode.endsWith("hang");
        Agent root = mode.startsWith("workflow") ? pipeline(baseUrl, journal, hangs) : operator(baseUrl, journal, hangs);
        try (Runner runner = Runner.builder(root).sessions(store).build()) {
            RunOutcome out = runner.run(session, "Ship it");
            if (out instanceof RunOutcome.Suspended s) {
                System.out.println("TOKEN " + s.token());
            } else {
                System.out.println("DONE " + ((RunOutcome.Completed) out).result().output());
            }
        }
    }
}
