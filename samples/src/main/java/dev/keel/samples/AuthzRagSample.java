package dev.keel.samples;

import dev.keel.authz.SubjectRef;
import dev.keel.authz.embedded.SpiceDbLibraryNotFoundException;
import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.store.Hit;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@code samples/run authz-rag}: permission-aware retrieval without an agent. Three users ask the same
 * questions over the same documents; Keel's retriever (in-process MiniLM embeddings, exact vector search,
 * at most 3 hits) finds the closest chunks and the real SpiceDB (embedded) decides, before anything could
 * reach a model, which of them each user may read. Prints each user's context and what was withheld —
 * document ids, ranks and reasons only, never the withheld text.
 */
public final class AuthzRagSample {
    static final List<String> QUESTIONS = List.of(
            "When does usage-based pricing launch?",
            "How do refunds work?");

    private AuthzRagSample() {
    }

    public static void main(String[] args) {
        // the Unix-socket channel triggers a harmless Netty warning about SO_KEEPALIVE; keep the output readable
        System.setProperty("org.slf4j.simpleLogger.log.io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap", "error");
        System.setProperty("org.slf4j.simpleLogger.log.ai.djl", "error");
        List<String> questions = args.length > 0 ? List.of(args) : QUESTIONS;
        try (CompanyKnowledge knowledge = CompanyKnowledge.open()) {
            run(knowledge, questions, System.out);
        } catch (SpiceDbLibraryNotFoundException e) {
            System.err.println(e.getMessage());
        }
    }

    static void run(CompanyKnowledge knowledge, List<String> questions, PrintStream out) {
        out.println(knowledge);
        for (String question : questions) {
            out.println();
            out.println("Q: " + question);
            for (String user : FlagshipSample.USERS) {
                CompanyKnowledge.Search search = knowledge.search(question, SubjectRef.of("user", user));
                out.println("  == " + user + ": " + search.hits().size() + " chunk(s) of context");
                for (Hit hit : search.hits()) {
                    out.printf(Locale.ROOT, "     %.3f  %-10s %s%n", hit.score(), hit.sourceId(),
                            hit.metadata().getOrDefault(Chunk.HEADING_PATH, ""));
                }
                out.println("     withheld: " + (search.withheld().isEmpty() ? "nothing" : search.withheld()));
            }
        }
    }
}
