package dev.keel.samples;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.models.Models;
import dev.keel.core.message.Message;
import dev.keel.rag.chunk.Source;
import dev.keel.rag.embed.EmbeddedModels;
import dev.keel.rag.knowledge.Chunking;
import dev.keel.rag.knowledge.Fusion;
import dev.keel.rag.knowledge.KnowledgeBase;
import dev.keel.rag.knowledge.KnowledgeHit;
import dev.keel.rag.knowledge.Strategies;
import dev.keel.rag.knowledge.SyncResult;
import dev.keel.rag.retrieve.AssembledPrompt;
import dev.keel.rag.retrieve.PromptAssembler;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The coding-assistant RAG: a {@code snippets.md} of titled snippets with {@code KEYWORDS:} lines goes into a
 * {@link KnowledgeBase} (chunked by markdown section) with hybrid search — in-process embeddings
 * (all-MiniLM-L6-v2, no network, cosine at least 0.45) and BM25 keywords, fused with reciprocal rank fusion
 * — at most 3 passages per question, and each turn's prompt (system + knowledge + 2 turns of history +
 * question) is printed. With {@code KEEL_MODEL} set to a model reference (e.g. {@code openai/gpt-5-mini} with
 * {@code OPENAI_API_KEY}), each prompt is sent to that model and its answer goes into the history; without
 * one the sample runs offline and the "answer" that goes into the history cites the best hit (labelled as
 * such). Pass questions as arguments to ask your own.
 */
public final class RagSample {
    private static final String SYSTEM = "You are a coding assistant. Answer with a short code snippet. Use the "
            + "knowledge base when it is relevant and cite its source numbers like [1].";

    private RagSample() {
    }

    public static void main(String[] args) throws IOException {
        // the in-process embedding runtime reports GPU probing at WARN; this sample runs on the CPU by design
        System.setProperty("org.slf4j.simpleLogger.log.ai.djl", "error");
        List<String> questions = args.length > 0 ? List.of(args) : QUESTIONS;
        String reference = System.getenv("KEEL_MODEL");
        ChatModel model = reference == null || reference.isBlank() ? null : Models.resolve(reference);
        try {
            run(model, questions, System.out);
        } finally {
            if (model != null) {
                model.close();
            }
        }
    }

    /** The default questions: two on-topic turns, one off-topic for the snippets, one unrelated. */
    static final List<String> QUESTIONS = List.of(
            "How do I read a file line by line in Java?",
            "And how do I parse JSON into an object?",
            "How can I set up a Python virtual environment?",
            "What is the capital of France?");

    /**
     * Chunks and indexes {@code snippets.md}, then for each question retrieves, assembles and prints the
     * prompt and, when {@code model} is not null, asks it. Returns the answers that went into the history.
     */
    static List<String> run(ChatModel model, List<String> questions, PrintStream out) throws IOException {
        String snippets;
        try (InputStream in = RagSample.class.getResourceAsStream("/snippets.md")) {
            snippets = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path indexDir = Files.createTempDirectory("keel-rag-sample");
        try (KnowledgeBase kb = KnowledgeBase.builder(indexDir).name("snippets")
                .document(Source.of("snippets.md", snippets))
                .strategy(Strategies.embeddings(EmbeddedModels.allMiniLmL6V2()).withThreshold(0.45).withLimit(5)
                        .withChunking(Chunking.markdown(800)))
                .strategy(Strategies.bm25Code().withThreshold(1.0).withLimit(5).withChunking(Chunking.markdown(800)))
                .fusion(Fusion.rrf())
                .limit(3)
                .build()) {
            SyncResult indexed = kb.sync();
            out.println("Indexed snippets.md: " + kb.chunkCounts() + " chunks per strategy, " + indexed.chunksEmbedded()
                    + " embedded in " + indexed.embeddingCalls() + " calls (" + kb + ")\n");
            return answer(kb, model, questions, out);
        } finally {
            try (Stream<Path> paths = Files.walk(indexDir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static List<String> answer(KnowledgeBase kb, ChatModel model, List<String> questions, PrintStream out) {
        PromptAssembler assembler = PromptAssembler.standard().withHistoryTurns(2);
        out.println(model == null ? "[no KEEL_MODEL set: prompts are printed, not answered]\n"
                : "[answering with " + model.id() + "]\n");
        List<Message> history = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (String question : questions) {
            List<KnowledgeHit> hits = kb.search(question);
            AssembledPrompt prompt = assembler.assemble(SYSTEM, hits.stream().map(KnowledgeHit::asHit).toList(),
                    history, question);
            out.println("=".repeat(100));
            out.println("Q: " + question);
            for (KnowledgeHit hit : hits) {
                out.printf("   hit rrf %.4f %s  %s%n", hit.score(), hit.strategyScores(), hit.headingPath());
            }
            if (hits.isEmpty()) {
                out.println("   no snippet reached cosine 0.45 or BM25 1.0: the prompt carries no knowledge block");
            }
            out.println("-".repeat(100));
            out.println(prompt.text());
            out.println("-".repeat(100));
            out.println(prompt + "\n");
            String answer;
            if (model != null) {
                answer = model.chat(ChatRequest.of(prompt.messages())).text();
                out.println("A (" + model.id() + "): " + answer + "\n");
            } else {
                // Offline stand-in, so the history window has something to show; not a model's answer.
                answer = hits.isEmpty() ? "I have no snippet for that."
                        : "See [1] " + hits.get(0).headingPath() + " in " + hits.get(0).source() + ".";
            }
            history.add(Message.user(question));
            history.add(Message.assistant(answer));
            answers.add(answer);
        }
        return answers;
    }
}
