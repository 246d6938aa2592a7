package dev.keel.samples;

import dev.keel.agents.Agent;
import dev.keel.agents.AgentException;
import dev.keel.agents.Decision;
import dev.keel.agents.RunOutcome;
import dev.keel.agents.Runner;
import dev.keel.agents.session.SessionStore;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.postgres.PostgresCluster;
import java.io.PrintStream;
import java.util.Map;
import java.util.UUID;

/**
 * Human approval across processes, as a service would do it: an operator agent wants to call {@code deploy}, which
 * needs approval. The run suspends — the exact pending call is stored in PostgreSQL — and the JVM exits, printing the
 * command that decides:
 *
 * <pre>
 * samples/run approvals                          # suspends, prints the resume command, exits
 * samples/run approvals --resume TOKEN --approve # another JVM: runs exactly the stored call, finishes the run
 * samples/run approvals --resume TOKEN --approve # again: refused (exit 3), nothing runs
 * samples/run approvals --resume TOKEN --deny "not today"
 * </pre>
 *
 * PostgreSQL is a real PostgreSQL 17 (the root {@code scripts/setup/pgvector.sh} builds), kept in a persistent
 * cluster directory and started by each JVM for its own lifetime. The model is Keel's scripted stand-in on
 * loopback (labelled as such): it asks for the deployment, then reports what the tool answered.
 */
public final class ApprovalsSample {
    /** Exit status of a refused resume. */
    static final int REFUSED = 3;
    /** Names the persistent cluster (tests use their own, so they never meet a user's sample data). */
    static final String CLUSTER_PROPERTY = "keel.approvals.cluster";

    private ApprovalsSample() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String token = null;
        Decision decision = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--resume" -> token = args[++i];
                case "--approve" -> decision = Decision.approve(System.getProperty("user.name", "operator"));
                case "--deny" -> decision = Decision.deny(System.getProperty("user.name", "operator"),
                        i + 1 < args.length ? args[++i] : "denied");
                default -> {
                    err.println("usage: samples/run approvals [--resume TOKEN (--approve | --deny REASON)]");
                    return 2;
                }
            }
        }
        if (token != null && decision == null) {
            err.println("--resume needs --approve or --deny REASON");
            return 2;
        }
        try (PostgresCluster pg = PostgresCluster.persistent(System.getProperty(CLUSTER_PROPERTY, "keel-approvals-sample"));
             ScriptedModelServer llm = ScriptedModelServer.start()) {
            llm.respondWith(req -> req.lastMessage() instanceof ToolResultMessage result
                    ? ScriptedReply.text("Done: " + result.content() + ".")
                    : ScriptedReply.toolCall("deploy", Map.of("service", "billing", "env", "staging")));
            out.println("[the model is a scripted stand-in on " + llm.baseUrl() + " — labelled sample, not a real LLM;"
                    + " PostgreSQL 17 on 127.0.0.1:" + pg.port() + " is real]");
            SessionStore store = SessionStore.postgres(pg.dataSource());
            try (OpenAiCompatible model = OpenAiCompatible.builder().providerName("scripted").baseUrl(llm.baseUrl())
                         .model("operator").build();
                 Runner runner = Runner.builder(operator(model, out)).sessions(store).build()) {
                if (token == null) {
                    RunOutcome outcome = runner.run("deploy-" + UUID.randomUUID(), "Deploy billing to staging");
                    if (outcome instanceof RunOutcome.Suspended s) {
                        out.println("Suspended: agent '" + s.pendingCall().agent() + "' wants " + s.pendingCall().tool()
                                + " " + s.pendingCall().call().arguments() + " (stored in PostgreSQL, session "
                                + s.sessionId() + ").");
                        out.println("Approve it from any process with:");
                        out.println("  samples/run approvals --resume " + s.token() + " --approve");
                        return 0;
                    }
                    out.println("Finished without needing approval: " + outcome);
                    return 0;
                }
                try {
                    RunOutcome outcome = runner.resume(token, decision);
                    if (outcome instanceof RunOutcome.Completed c) {
                        out.println("Resumed by " + decision.by() + ": " + c.result().output());
                        out.println("Decisions on record: " + c.result().session().decisions());
                    } else {
                        out.println("Suspended again: " + outcome);
                    }
                    return 0;
                } catch (AgentException.ResumeRefused e) {
                    err.println("Refused: " + e.getMessage());
                    return REFUSED;
                }
            }
        }
    }

    static Agent operator(OpenAiCompatible model, PrintStream out) {
        ToolSpec spec = ToolSpec.of("deploy", "Deploys a service to an environment", JsonSchema.object()
                .required("service", JsonSchema.string()).required("env", JsonSchema.string()).build());
        Tool deploy = Tool.of(spec, (args, ctx) -> {
            out.println("  (deploy tool) deploying " + args.string("service") + " to " + args.string("env")
                    + ", call " + ctx.callId());
            return ToolResult.ok(args.string("service") + " is live on " + args.string("env"));
        });
        return Agent.builder("operator").instruction("You deploy services when asked.").model(model)
                .toolsets(Toolset.of("deployments", deploy)).build();
    }
}
