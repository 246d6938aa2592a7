package dev.keel.rag.knowledge;

import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.openai.OpenAiEmbeddings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The indexer that {@link KilledIndexerTest} runs in a forked JVM and kills: it rewrites every document
 * with the next version number and syncs, forever, printing {@code synced <generation> <version>} after
 * each sync. Not a test.
 */
public final class IndexerProcess {
    static final int FILES = 40;

    private IndexerProcess() {
    }

    static KnowledgeBase.Builder config(Path index, Path docs, OpenAiEmbeddings words) {
        return KnowledgeBase.builder(index).source(docs, "**/*.md")
                .strategy(Strategies.embeddings(words).withThreshold(0).withLimit(1000))
                .strategy(Strategies.bm25().withLimit(1000)).limit(1000).deduplicate(false);
    }

    static OpenAiEmbeddings words(String baseUrl) {
        return OpenAiCompatible.embeddings().baseUrl(baseUrl).apiKey("test").model("words")
                .dimension(WordVectors.DIMENSION).batchSize(8).build();
    }

    static void writeVersion(Path docs, int version) throws IOException {
        for (int f = 0; f < FILES; f++) {
            StringBuilder text = new StringBuilder("# Document " + f + "\n\n");
            for (int s = 0; s < 3; s++) {
                text.append("## Section ").append(s).append("\nrelease version v").append(version)
                        .append(" of document ").append(f).append(" section ").append(s).append(". ")
                        .append("filler words to give the section some body. ".repeat(8)).append("\n\n");
            }
            Files.writeString(docs.resolve("doc-" + f + ".md"), text);
        }
    }

    public static void main(String[] args) throws Exception {
        Path index = Path.of(args[0]);
        Path docs = Path.of(args[1]);
        int version = Integer.parseInt(args[3]);
        try (OpenAiEmbeddings words = words(args[2]);
             KnowledgeBase kb = config(index, docs, words).build()) {
            while (true) {
                version++;
                writeVersion(docs, version);
                SyncResult result = kb.sync();
                System.out.println("synced " + result.generation() + " " + version);
                System.out.flush();
            }
        }
    }
}
