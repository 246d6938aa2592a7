package dev.keel.samples;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.models.Models;
import dev.keel.core.message.Message;
import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.chunk.Chunkers;
import dev.keel.rag.chunk.Source;
import dev.keel.rag.embed.EmbeddedModels;
import dev.keel.rag.retrieve.AssembledPrompt;
import dev.keel.rag.retrieve.Indexer;
import dev.keel.rag.retrieve.PromptAssembler;
import dev.keel.rag.retrieve.Retriever;
import dev.keel.rag.store.Hit;
import dev.keel.rag.store.InMemoryVectorStore;
import dev.keel.rag.store.VectorStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The coding-assistant RAG: a {@code snippets.md} of titled snippets with {@code KEYWORDS:} lines is
 * chunked by section, embedded in-process (all-MiniLM-L6-v2, no network), searched with at most 3 hits
 * above cosine 0.45, and each turn's prompt (system + knowledge + 2 turns of history + question) is
 * printed. With {@code KEEL_MODEL} set to a model reference (e.g. {@code openai/gpt-5-mini} with
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
        List<Chunk> chunks = Chunkers.markdownSections(800).split(Source.of("snippets.md", snippets));
        out.println("Chunked snippets.md into " + chunks.size() + " sections:");
        for (Chunk chunk : chunks) {
            out.println("  " + chunk.id() + "  " + chunk.metadata().getOrDefault(Chunk.HEADING_PATH, "(preamble)")
                    + (chunk.metadata().containsKey(Chunk.KEYWORDS) ? "  [" + chunk.metadata().get(Chunk.KEYWORDS) + "]" : ""));
        }

        EmbeddingModel embedder = EmbeddedModels.allMiniLmL6V2();
        InMemoryVectorStore store = VectorStore.inMemory(embedder.dimension());
        Indexer.of(embedder).index(chunks, store);
        out.println("Indexed with " + embedder.id() + " into " + store + "\n");

        Retriever retriever = Retriever.builder(store, embedder).maxResults(3).minScore(0.45).build();
        PromptAssembler assembler = PromptAssembler.standard().withHistoryTurns(2);
        out.println(model == null ? "[no KEEL_MODEL set: prompts are printed, not answered]\n"
                : "[answering with " + model.id() + "]\n");
        List<Message> history = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (String question : questions) {
            List<Hit> hits = retriever.retrieve(question);
            AssembledPrompt prompt = assembler.assemble(SYSTEM, hits, history, question);
            out.println("=".repeat(100));
            out.println("Q: " + question);
            for (Hit hit : hits) {
                out.printf("   hit %.3f  %s%n", hit.score(), hit.metadata().get(Chunk.HEADING_PATH));
            }
            if (hits.isEmpty()) {
                out.println("   no snippet scored above 0.45: the prompt carries no knowledge block");
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
                        : "See [1] " + hits.get(0).metadata().get(Chunk.HEADING_PATH) + " in " + hits.get(0).sourceId() + ".";
            }
            history.add(Message.user(question));
            history.add(Message.assistant(answer));
            answers.add(answer);
        }
        return answers;
    }
}
