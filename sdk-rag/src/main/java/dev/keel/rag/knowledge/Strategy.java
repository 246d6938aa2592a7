package dev.keel.rag.knowledge;

import dev.keel.core.ChatModel;
import dev.keel.core.EmbeddingModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A retrieval strategy of a {@link KnowledgeBase}: one entry of docker-agent's {@code strategies} list.
 * Each strategy has a name (its type unless set; names must be unique in a knowledge base and are the
 * keys of {@link Fusion#weighted weighted fusion} and {@link KnowledgeHit#strategyScores()}), a score
 * threshold, a candidate limit, its chunking and optionally documents of its own. Create them with
 * {@link Strategies}; the {@code with…} methods return modified copies. Immutable.
 */
public sealed interface Strategy permits Strategy.ChunkedEmbeddings, Strategy.Bm25, Strategy.SemanticEmbeddings {

    /**
     * The settings every strategy has.
     *
     * @return the settings every strategy has
     */
    Common common();

    /**
     * The strategy's type as docker-agent names it: {@code chunked-embeddings}, {@code bm25}, {@code
     * semantic-embeddings}.
     *
     * @return the strategy's type as docker-agent names it
     */
    String type();

    /**
     * The strategy's name (defaults to its type).
     *
     * @return the strategy's name
     */
    default String name() {
        return common().name() == null ? type() : common().name();
    }

    /**
     * Settings shared by all strategies.
     *
     * @param name       the strategy name, or null for its type
     * @param threshold  minimum score for a candidate (cosine for embeddings, raw BM25 score for bm25)
     * @param limit      candidates this strategy contributes to fusion
     * @param chunking   how documents are cut
     * @param docs       files or directories indexed by this strategy only, besides the shared sources
     * @param respectVcs overrides the knowledge base's {@code respect_vcs} for this strategy's own docs; null inherits
     */
    record Common(String name, double threshold, int limit, Chunking chunking, List<Path> docs, Boolean respectVcs) {
        /**
         * Validates the settings.
         *
         * @param chunking how documents are cut
         * @param docs files or directories indexed by this strategy only, besides the shared sources
         * @param limit candidates this strategy contributes to fusion
         * @param name the strategy name, or null for its type
         * @param respectVcs overrides the knowledge base's {@code respect_vcs} for this strategy's own docs; null
         *     inherits
         * @param threshold minimum score for a candidate (cosine for embeddings, raw BM25 score for bm25)
         */
        public Common {
            if (name != null && (name.isBlank() || name.equals("rerank") || name.equals("fusion"))) {
                throw new IllegalArgumentException("strategy name must not be blank, 'rerank' or 'fusion': '" + name + "'");
            }
            if (Double.isNaN(threshold) || threshold < 0) {
                throw new IllegalArgumentException("threshold must be a number >= 0, got " + threshold);
            }
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be at least 1, got " + limit);
            }
            Objects.requireNonNull(chunking, "chunking");
            docs = List.copyOf(Objects.requireNonNull(docs, "docs"));
        }

        static Common defaults(double threshold) {
            return new Common(null, threshold, 5, Chunking.defaults(), List.of(), null);
        }
    }

    /**
     * docker-agent's {@code chunked-embeddings}: chunks embedded with {@code model}, searched by cosine
     * similarity (the only metric docker-agent implements). Defaults: threshold 0.5, limit 5, batch size 50,
     * 3 concurrent embedding calls.
     *
     * @param model       the embedding model ({@code embedding_model})
     * @param dimensions  expected vector dimension ({@code vector_dimensions}); 0 takes the model's
     * @param batchSize   chunks per embedding call ({@code embedding_batch_size})
     * @param concurrency embedding calls in flight at once ({@code max_embedding_concurrency})
     * @param common the settings every strategy has: name, threshold, limit, chunking and documents
     */
    record ChunkedEmbeddings(Common common, EmbeddingModel model, int dimensions, int batchSize, int concurrency)
            implements Strategy {
        /**
         * Validates the settings and the dimension.
         *
         * @param batchSize chunks per embedding call ({@code embedding_batch_size})
         * @param common the settings every strategy has: name, threshold, limit, chunking and documents
         * @param concurrency embedding calls in flight at once ({@code max_embedding_concurrency})
         * @param dimensions expected vector dimension ({@code vector_dimensions}); 0 takes the model's
         * @param model the embedding model ({@code embedding_model})
         */
        public ChunkedEmbeddings {
            Objects.requireNonNull(common, "common");
            Objects.requireNonNull(model, "model");
            checkBatching(batchSize, concurrency);
            if (dimensions != 0 && dimensions != model.dimension()) {
                throw new IllegalArgumentException("vector_dimensions " + dimensions + " does not match embedding model "
                        + model.id() + " (" + model.dimension() + " dimensions)");
            }
        }

        /** {@inheritDoc} */
        @Override
        public String type() {
            return "chunked-embeddings";
        }

        /**
         * A copy with another name (default: the type).
         *
         * @param name the strategy's name
         * @return a copy with another name
         */
        public ChunkedEmbeddings withName(String name) {
            return new ChunkedEmbeddings(new Common(name, common.threshold(), common.limit(), common.chunking(),
                    common.docs(), common.respectVcs()), model, dimensions, batchSize, concurrency);
        }

        /**
         * A copy with another minimum score for candidates.
         *
         * @param threshold the lowest score of a candidate
         * @return a copy with another minimum score for candidates
         */
        public ChunkedEmbeddings withThreshold(double threshold) {
            return new ChunkedEmbeddings(new Common(common.name(), threshold, common.limit(), common.chunking(),
                    common.docs(), common.respectVcs()), model, dimensions, batchSize, concurrency);
        }

        /**
         * A copy contributing at most {@code limit} candidates to fusion.
         *
         * @param limit the most candidates
         * @return a copy contributing at most {@code limit} candidates to fusion
         */
        public ChunkedEmbeddings withLimit(int limit) {
            return new ChunkedEmbeddings(new Common(common.name(), common.threshold(), limit, common.chunking(),
                    common.docs(), common.respectVcs()), model, dimensions, batchSize, concurrency);
        }

        /**
         * A copy with another chunking.
         *
         * @param chunking the chunking
         * @return a copy with another chunking
         */
        public ChunkedEmbeddings withChunking(Chunking chunking) {
            return new ChunkedEmbeddings(new Common(common.name(), common.threshold(), common.limit(), chunking,
                    common.docs(), common.respectVcs()), model, dimensions, batchSize, concurrency);
        }

        /**
         * A copy with documents of its own (files or directories) and their {@code respect_vcs} (null inherits).
         *
         * @param docs the strategy's own files or directories
         * @param respectVcs whether to honour VCS ignores there, or null for the knowledge base's setting
         * @return a copy with documents of its own
         */
        public ChunkedEmbeddings withDocs(List<Path> docs, Boolean respectVcs) {
            return new ChunkedEmbeddings(new Common(common.name(), common.threshold(), common.limit(),
                    common.chunking(), docs, respectVcs), model, dimensions, batchSize, concurrency);
        }

        /**
         * A copy that checks the model makes {@code dimensions}-dimensional vectors (0: no check).
         *
         * @param dimensions the expected vector length, 0 for no check
         * @return a copy that checks the model makes {@code dimensions}-dimensional vectors
         */
        public ChunkedEmbeddings withDimensions(int dimensions) {
            return new ChunkedEmbeddings(common, model, dimensions, batchSize, concurrency);
        }

        /**
         * A copy with another batch size and number of calls in flight.
         *
         * @param batchSize chunks per model call
         * @param concurrency model calls in flight
         * @return a copy with another batch size and number of calls in flight
         */
        public ChunkedEmbeddings withBatching(int batchSize, int concurrency) {
            return new ChunkedEmbeddings(common, model, dimensions, batchSize, concurrency);
        }
    }

    /**
     * docker-agent's {@code bm25}: keyword search (formula in the module README). Defaults: {@code k1 1.5},
     * {@code b 0.75}, threshold 0, limit 5, the standard analyzer.
     *
     * @param k1        term-frequency saturation
     * @param b         length normalisation, 0..1
     * @param codeAware analyze identifiers ({@code readValue}, {@code HTTP_CLIENT}) as whole terms and as
     *                  their parts (underscores kept inside identifiers)
     * @param common the settings every strategy has: name, threshold, limit, chunking and documents
     */
    record Bm25(Common common, double k1, double b, boolean codeAware) implements Strategy {
        /**
         * Validates the parameters.
         *
         * @param b length normalisation, 0..1
         * @param codeAware analyze identifiers ({@code readValue}, {@code HTTP_CLIENT}) as whole terms and as
         *     their parts (underscores kept inside identifiers)
         * @param common the settings every strategy has: name, threshold, limit, chunking and documents
         * @param k1 term-frequency saturation
         */
        public Bm25 {
            Objects.requireNonNull(common, "common");
            if (!(k1 >= 0)) {
                throw new IllegalArgumentException("k1 must be >= 0, got " + k1);
            }
            if (!(b >= 0 && b <= 1)) {
                throw new IllegalArgumentException("b must be in [0, 1], got " + b);
            }
        }

        /** {@inheritDoc} */
        @Override
        public String type() {
            return "bm25";
        }

        /**
         * A copy with another name (default: the type).
         *
         * @param name the strategy's name
         * @return a copy with another name
         */
        public Bm25 withName(String name) {
            return new Bm25(new Common(name, common.threshold(), common.limit(), common.chunking(), common.docs(),
                    common.respectVcs()), k1, b, codeAware);
        }

        /**
         * A copy with another minimum score for candidates.
         *
         * @param threshold the lowest score of a candidate
         * @return a copy with another minimum score for candidates
         */
        public Bm25 withThreshold(double threshold) {
            return new Bm25(new Common(common.name(), threshold, common.limit(), common.chunking(), common.docs(),
                    common.respectVcs()), k1, b, codeAware);
        }

        /**
         * A copy contributing at most {@code limit} candidates to fusion.
         *
         * @param limit the most candidates
         * @return a copy contributing at most {@code limit} candidates to fusion
         */
        public Bm25 withLimit(int limit) {
            return new Bm25(new Common(common.name(), common.threshold(), limit, common.chunking(), common.docs(),
                    common.respectVcs()), k1, b, codeAware);
        }

        /**
         * A copy with another chunking.
         *
         * @param chunking the chunking
         * @return a copy with another chunking
         */
        public Bm25 withChunking(Chunking chunking) {
            return new Bm25(new Common(common.name(), common.threshold(), common.limit(), chunking, common.docs(),
                    common.respectVcs()), k1, b, codeAware);
        }

        /**
         * A copy with documents of its own (files or directories) and their {@code respect_vcs} (null inherits).
         *
         * @param docs the strategy's own files or directories
         * @param respectVcs whether to honour VCS ignores there, or null for the knowledge base's setting
         * @return a copy with documents of its own
         */
        public Bm25 withDocs(List<Path> docs, Boolean respectVcs) {
            return new Bm25(new Common(common.name(), common.threshold(), common.limit(), common.chunking(), docs,
                    respectVcs), k1, b, codeAware);
        }

        /**
         * A copy with other BM25 parameters.
         *
         * @param k1 BM25's term-frequency saturation
         * @param b BM25's length normalisation
         * @return a copy with other BM25 parameters
         */
        public Bm25 withParameters(double k1, double b) {
            return new Bm25(common, k1, b, codeAware);
        }

        /**
         * A copy with or without the code-aware analyzer.
         *
         * @param codeAware whether to use the code-aware analyzer
         * @return a copy with or without the code-aware analyzer
         */
        public Bm25 withCodeAware(boolean codeAware) {
            return new Bm25(common, k1, b, codeAware);
        }
    }

    /**
     * docker-agent's {@code semantic-embeddings}: a chat model writes a short description of each chunk
     * (cached by the chunk's content hash, so unchanged chunks are never summarised twice), the description
     * is embedded, and questions are matched against the descriptions. Hits carry the chunk's own text.
     * Defaults: threshold 0.5, limit 5, batch size 50, 3 concurrent calls.
     *
     * @param model       the embedding model
     * @param chatModel   writes the descriptions ({@code chat_model})
     * @param prompt      the prompt template ({@code semantic_prompt}); placeholders {@code ${path}},
     *                    {@code ${basename}}, {@code ${chunk_index}}, {@code ${ast_context}}, {@code ${content}};
     *                    null for Keel's
     * @param batchSize   chunks per embedding call
     * @param concurrency chat and embedding calls in flight at once ({@code max_embedding_concurrency})
     * @param common the settings every strategy has: name, threshold, limit, chunking and documents
     * @param codeContext whether each prompt names the declarations that enclose the chunk ({@code ast_context})
     */
    record SemanticEmbeddings(Common common, EmbeddingModel model, ChatModel chatModel, String prompt, int batchSize,
                              int concurrency, boolean codeContext) implements Strategy {
        /** Keel's summary prompt. */
        public static final String DEFAULT_PROMPT = "Describe what the following passage from ${path} is about and "
                + "what questions it answers, in at most three sentences. Name the APIs, identifiers and concepts "
                + "it covers. Answer with the description only.\n\n${content}";

        /**
         * Validates the settings.
         *
         * @param batchSize chunks per embedding call
         * @param chatModel writes the descriptions ({@code chat_model})
         * @param common the settings every strategy has: name, threshold, limit, chunking and documents
         * @param concurrency chat and embedding calls in flight at once ({@code max_embedding_concurrency})
         * @param model the embedding model
         * @param prompt the prompt template ({@code semantic_prompt}); placeholders {@code ${path}}, {@code
         *     ${basename}}, {@code ${chunk_index}}, {@code ${ast_context}}, {@code ${content}}; null for Keel's
         * @param codeContext whether the prompt names the declarations that enclose each chunk ({@code ast_context})
         */
        public SemanticEmbeddings {
            Objects.requireNonNull(common, "common");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(chatModel, "chatModel");
            checkBatching(batchSize, concurrency);
        }

        /**
         * The strategy without code context in its prompts (the constructor before {@code codeContext} existed).
         *
         * @param common the settings every strategy has: name, threshold, limit, chunking and documents
         * @param model the embedding model
         * @param chatModel writes the descriptions ({@code chat_model})
         * @param prompt the prompt template, or null for Keel's
         * @param batchSize chunks per embedding call
         * @param concurrency chat and embedding calls in flight at once
         */
        public SemanticEmbeddings(Common common, EmbeddingModel model, ChatModel chatModel, String prompt, int batchSize,
                                  int concurrency) {
            this(common, model, chatModel, prompt, batchSize, concurrency, false);
        }

        /** {@inheritDoc} */
        @Override
        public String type() {
            return "semantic-embeddings";
        }

        /**
         * The prompt in use.
         *
         * @return the prompt in use
         */
        public String promptTemplate() {
            return prompt == null ? DEFAULT_PROMPT : prompt;
        }

        /**
         * A copy with another name (default: the type).
         *
         * @param name the strategy's name
         * @return a copy with another name
         */
        public SemanticEmbeddings withName(String name) {
            return new SemanticEmbeddings(new Common(name, common.threshold(), common.limit(), common.chunking(),
                    common.docs(), common.respectVcs()), model, chatModel, prompt, batchSize, concurrency, codeContext);
        }

        /**
         * A copy with another minimum score for candidates.
         *
         * @param threshold the lowest score of a candidate
         * @return a copy with another minimum score for candidates
         */
        public SemanticEmbeddings withThreshold(double threshold) {
            return new SemanticEmbeddings(new Common(common.name(), threshold, common.limit(), common.chunking(),
                    common.docs(), common.respectVcs()), model, chatModel, prompt, batchSize, concurrency, codeContext);
        }

        /**
         * A copy contributing at most {@code limit} candidates to fusion.
         *
         * @param limit the most candidates
         * @return a copy contributing at most {@code limit} candidates to fusion
         */
        public SemanticEmbeddings withLimit(int limit) {
            return new SemanticEmbeddings(new Common(common.name(), common.threshold(), limit, common.chunking(),
                    common.docs(), common.respectVcs()), model, chatModel, prompt, batchSize, concurrency, codeContext);
        }

        /**
         * A copy with another chunking.
         *
         * @param chunking the chunking
         * @return a copy with another chunking
         */
        public SemanticEmbeddings withChunking(Chunking chunking) {
            return new SemanticEmbeddings(new Common(common.name(), common.threshold(), common.limit(), chunking,
                    common.docs(), common.respectVcs()), model, chatModel, prompt, batchSize, concurrency, codeContext);
        }

        /**
         * A copy with documents of its own (files or directories) and their {@code respect_vcs} (null inherits).
         *
         * @param docs the strategy's own files or directories
         * @param respectVcs whether to honour VCS ignores there, or null for the knowledge base's setting
         * @return a copy with documents of its own
         */
        public SemanticEmbeddings withDocs(List<Path> docs, Boolean respectVcs) {
            return new SemanticEmbeddings(new Common(common.name(), common.threshold(), common.limit(),
                    common.chunking(), docs, respectVcs), model, chatModel, prompt, batchSize, concurrency, codeContext);
        }

        /**
         * A copy with another summary prompt template (null: Keel's).
         *
         * @param prompt the prompt template, or null for Keel's
         * @return a copy with another summary prompt template
         */
        public SemanticEmbeddings withPrompt(String prompt) {
            return new SemanticEmbeddings(common, model, chatModel, prompt, batchSize, concurrency, codeContext);
        }

        /**
         * A copy with another batch size and number of calls in flight.
         *
         * @param batchSize chunks per model call
         * @param concurrency model calls in flight
         * @return a copy with another batch size and number of calls in flight
         */
        public SemanticEmbeddings withBatching(int batchSize, int concurrency) {
            return new SemanticEmbeddings(common, model, chatModel, prompt, batchSize, concurrency, codeContext);
        }

        /**
         * A copy whose prompts do or do not carry each chunk's code context: the declarations that enclose it in
         * its file (package, class, function, or markdown headings), through the {@code ${ast_context}} placeholder
         * or, when the template has none, on a line before the content. Two chunks with the same text under
         * different declarations then get descriptions of their own.
         *
         * @param codeContext whether prompts carry the code context ({@code ast_context})
         * @return a copy with or without code context in its prompts
         */
        public SemanticEmbeddings withCodeContext(boolean codeContext) {
            return new SemanticEmbeddings(common, model, chatModel, prompt, batchSize, concurrency, codeContext);
        }
    }

    private static void checkBatching(int batchSize, int concurrency) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
    }
}
