package dev.keel.samples;

import dev.keel.authz.ObjectRef;
import dev.keel.authz.RelationshipText;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.embedded.EmbeddedSpiceDb;
import dev.keel.authz.embedded.SpiceDbLibraryNotFoundException;
import dev.keel.authz.filter.DroppedHit;
import dev.keel.authz.filter.FilterResult;
import dev.keel.authz.filter.PostFilter;
import dev.keel.core.EmbeddingModel;
import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.chunk.Chunkers;
import dev.keel.rag.chunk.Source;
import dev.keel.rag.embed.EmbeddedModels;
import dev.keel.rag.retrieve.Indexer;
import dev.keel.rag.retrieve.Retriever;
import dev.keel.rag.store.Hit;
import dev.keel.rag.store.InMemoryVectorStore;
import dev.keel.rag.store.VectorStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A small company's documents behind permissions, as the samples use them: three markdown files (an
 * internal roadmap, a customer playbook, a public FAQ) chunked
 * by section and embedded in-process (all-MiniLM-L6-v2, no network) into a Keel vector store, and an
 * embedded SpiceDB that decides who may read which document. {@link #search} retrieves for one user and
 * post-filters with SpiceDB before anything leaves this class.
 *
 * <p>sdk-rag and sdk-authz do not know each other: the join is one lambda, the retriever's per-request
 * hit filter calling the {@link PostFilter}. Thread-safe; close it to stop SpiceDB.
 */
final class CompanyKnowledge implements AutoCloseable {
    static final String SCHEMA = """
            definition user {}

            definition document {
                relation owner: user
                relation viewer: user | user:*
                permission read = owner + viewer
            }
            """;

    /** The seeds' scenario: an internal roadmap, a customer playbook and a public FAQ. */
    static final String RELATIONSHIPS = """
            // doc1: internal roadmap, owned by emilia
            document:doc1#owner@user:emilia
            // doc2: customer playbook, beatrice (support) may read it
            document:doc2#viewer@user:beatrice
            // doc3: public FAQ
            document:doc3#viewer@user:emilia
            document:doc3#viewer@user:beatrice
            document:doc3#viewer@user:charlie
            """;

    static final List<String> DOCUMENTS = List.of("doc1", "doc2", "doc3");

    /** What one user's search returned: the readable hits, best first, and what was withheld (ids only). */
    record Search(List<Hit> hits, List<DroppedHit> withheld) {}

    private final EmbeddedSpiceDb spicedb;
    private final Retriever retriever;
    private final PostFilter<Hit> readable;
    private final int chunkCount;

    private CompanyKnowledge(EmbeddedSpiceDb spicedb, Retriever retriever, int chunkCount) {
        this.spicedb = spicedb;
        this.retriever = retriever;
        this.chunkCount = chunkCount;
        this.readable = PostFilter.of(spicedb, "read", hit -> ObjectRef.of("document", hit.sourceId()));
    }

    /**
     * Starts the embedded SpiceDB, writes the schema and relationships, chunks, embeds and indexes the
     * documents.
     *
     * @throws SpiceDbLibraryNotFoundException when the SpiceDB library is not installed (the message says how)
     */
    static CompanyKnowledge open() {
        EmbeddedSpiceDb spicedb = EmbeddedSpiceDb.start();
        try {
            spicedb.writeSchema(SCHEMA);
            spicedb.touch(RelationshipText.parse(RELATIONSHIPS));
            List<Chunk> chunks = new ArrayList<>();
            for (String doc : DOCUMENTS) {
                chunks.addAll(Chunkers.markdownSections(600).split(Source.of(doc, resource("/company/" + doc + ".md"))));
            }
            EmbeddingModel embedder = EmbeddedModels.allMiniLmL6V2();
            InMemoryVectorStore store = VectorStore.inMemory(embedder.dimension());
            Indexer.of(embedder).index(chunks, store);
            Retriever retriever = Retriever.builder(store, embedder).maxResults(3).minScore(0.3).build();
            return new CompanyKnowledge(spicedb, retriever, chunks.size());
        } catch (RuntimeException e) {
            spicedb.close();
            throw e;
        }
    }

    /** The chunks {@code user} may read for {@code question}, best first, and what SpiceDB withheld. */
    Search search(String question, SubjectRef user) {
        AtomicReference<FilterResult<Hit>> filtered = new AtomicReference<>();
        List<Hit> hits = retriever.retrieve(question, candidates -> {
            FilterResult<Hit> result = readable.filter(candidates, user);
            filtered.set(result);
            return result.kept();
        });
        FilterResult<Hit> result = filtered.get();
        return new Search(hits, result == null ? List.of() : result.dropped());
    }

    /** A direct permission check, independent of search (the tests compare the two). */
    boolean mayRead(SubjectRef user, String document) {
        return spicedb.check(ObjectRef.of("document", document), "read", user).allowed();
    }

    private static String resource(String path) {
        try (InputStream in = CompanyKnowledge.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing sample resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        spicedb.close();
    }

    @Override
    public String toString() {
        return "CompanyKnowledge[" + chunkCount + " chunks of " + DOCUMENTS + ", " + retriever + ", " + spicedb + "]";
    }
}
