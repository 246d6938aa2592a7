package dev.keel.rag.knowledge;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One passage a {@link KnowledgeBase} found: where it comes from, where it sits in its source, and how each
 * strategy scored it.
 *
 * @param chunkId        stable id of the chunk ({@code source#ordinal} of the strategy that found it first)
 * @param source         the source: a file path relative to its source directory (with {@code /}), the file
 *                       name for a single file, or the id of an in-memory document
 * @param start          offset of the first character in the source text (UTF-16, inclusive)
 * @param end            offset after the last character (exclusive)
 * @param headingPath    the markdown heading path ({@code # Guide > ## Install}), or empty
 * @param text           the passage
 * @param score          the final score: the reranker's when reranked, else the fused score
 * @param fusedScore     the fusion score (see {@link Fusion}); with one strategy, that strategy's score
 * @param strategyScores each strategy's own score for this passage, by strategy name (BM25 score, cosine
 *                       similarity); strategies that did not find it are absent
 * @param rerankScore    the reranker's score, when the passage was reranked
 * @param metadata       the chunk's metadata (source metadata, heading path, keywords)
 */
public record KnowledgeHit(String chunkId, String source, int start, int end, String headingPath, String text,
                           double score, double fusedScore, Map<String, Double> strategyScores,
                           OptionalDouble rerankScore, Map<String, String> metadata) {
    /**
     * Validates and copies.
     *
     * @param chunkId stable id of the chunk ({@code source#ordinal} of the strategy that found it first)
     * @param end offset after the last character (exclusive)
     * @param fusedScore the fusion score (see {@link Fusion}); with one strategy, that strategy's score
     * @param headingPath the markdown heading path ({@code # Guide > ## Install}), or empty
     * @param metadata the chunk's metadata (source metadata, heading path, keywords)
     * @param rerankScore the reranker's score, when the passage was reranked
     * @param score the final score: the reranker's when reranked, else the fused score
     * @param source the source: a file path relative to its source directory (with {@code /}), the file name for a
     *     single file, or the id of an in-memory document
     * @param start offset of the first character in the source text (UTF-16, inclusive)
     * @param strategyScores each strategy's own score for this passage, by strategy name (BM25 score, cosine
     *     similarity); strategies that did not find it are absent
     * @param text the passage
     */
    public KnowledgeHit {
        Objects.requireNonNull(chunkId, "chunkId");
        Objects.requireNonNull(source, "source");
        headingPath = headingPath == null ? "" : headingPath;
        text = text == null ? "" : text;
        strategyScores = Map.copyOf(Objects.requireNonNull(strategyScores, "strategyScores"));
        Objects.requireNonNull(rerankScore, "rerankScore");
        metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad offsets " + start + ".." + end);
        }
    }

    /**
     * A copy reranked with {@code newScore}: it becomes the final score and the rerank score.
     *
     * @param newScore the reranker's score
     * @return a copy reranked with {@code newScore}
     */
    public KnowledgeHit withRerankScore(double newScore) {
        return new KnowledgeHit(chunkId, source, start, end, headingPath, text, newScore, fusedScore, strategyScores,
                OptionalDouble.of(newScore), metadata);
    }

    /**
     * This passage as a vector-store {@link dev.keel.rag.store.Hit} (id = chunk id, metadata with
     * {@code source}, {@code heading_path}, {@code start}, {@code end}), for {@code PromptAssembler} and other
     * APIs that take hits.
     *
     * @return this passage as a vector-store {@link dev.keel.rag.store.Hit}
     */
    public dev.keel.rag.store.Hit asHit() {
        Map<String, String> meta = new java.util.HashMap<>(metadata);
        meta.put(dev.keel.rag.store.Hit.SOURCE, source);
        if (!headingPath.isEmpty()) {
            meta.put(dev.keel.rag.chunk.Chunk.HEADING_PATH, headingPath);
        }
        meta.put("start", Integer.toString(start));
        meta.put("end", Integer.toString(end));
        return new dev.keel.rag.store.Hit(chunkId, score, text, meta);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "KnowledgeHit[%s %d..%d score=%.4f %s%s]", source, start, end,
                score, strategyScores, headingPath.isEmpty() ? "" : " " + headingPath);
    }
}
