package dev.keel.samples;

import dev.keel.authz.ObjectRef;
import dev.keel.authz.RelationshipText;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.embedded.EmbeddedSpiceDb;
import dev.keel.authz.embedded.SpiceDbLibraryNotFoundException;
import dev.keel.authz.filter.DroppedHit;
import dev.keel.authz.filter.FilterResult;
import dev.keel.authz.filter.HitSource;
import dev.keel.authz.filter.PostFilter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code samples/run authz-rag}: permission-aware retrieval. Three users ask the same question over
 * three documents; the real SpiceDB (embedded) decides, before anything would reach a model, which
 * retrieved chunks each may read. Prints each user's answer context and what was filtered out (ids,
 * ranks and reasons only, never the denied text).
 *
 * <p>The vector search here is a small in-sample stand-in (hashed bag-of-words embeddings, brute-force
 * cosine), because Keel's sdk-rag is built on another branch; with sdk-rag the same {@link PostFilter}
 * plugs into the retriever's hit filter.
 */
public final class AuthzRagSample {
    private static final String SCHEMA = """
            definition user {}

            definition document {
                relation owner: user
                relation viewer: user | user:*
                permission read = owner + viewer
            }
            """;

    private static final String RELATIONSHIPS = """
            // doc1: internal roadmap, owned by emilia
            document:doc1#owner@user:emilia
            // doc2: customer playbook, beatrice may read it
            document:doc2#viewer@user:beatrice
            // doc3: public FAQ
            document:doc3#viewer@user:emilia
            document:doc3#viewer@user:beatrice
            document:doc3#viewer@user:charlie
            """;

    /** A chunk of a document, with its embedding. */
    record Chunk(String docId, String title, String text, float[] vector) {
        @Override
        public String toString() {
            return docId + " (" + title + ")";
        }
    }

    /** A search hit. */
    record Hit(Chunk chunk, double score) {
    }

    private AuthzRagSample() {
    }

    public static void main(String[] args) {
        // the Unix-socket channel triggers a harmless Netty warning about SO_KEEPALIVE; keep the output readable
        System.setProperty("org.slf4j.simpleLogger.log.io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap", "error");
        List<Chunk> chunks = List.of(
                chunk("doc1", "Internal roadmap", "Roadmap: in Q3 we launch the new pricing engine with usage based plans."),
                chunk("doc1", "Internal roadmap", "Roadmap: in Q4 the partner portal ships; pricing for partners is still secret."),
                chunk("doc2", "Customer playbook", "Playbook: when a customer asks about pricing, offer the annual plan first."),
                chunk("doc2", "Customer playbook", "Playbook: discounts above 20 percent need approval from sales leadership."),
                chunk("doc3", "Public FAQ", "FAQ: our pricing has a free tier and a pro plan billed monthly."),
                chunk("doc3", "Public FAQ", "FAQ: you can cancel the pro plan at any time from the settings page."));
        String question = "What are our pricing plans and what is coming next for pricing?";

        try {
            EmbeddedSpiceDb.locateLibrary();
        } catch (SpiceDbLibraryNotFoundException e) {
            System.err.println("The embedded SpiceDB library is not installed: run scripts/setup/spicedb.sh\n" + e.getMessage());
            return;
        }
        try (EmbeddedSpiceDb spicedb = EmbeddedSpiceDb.start()) {
            spicedb.writeSchema(SCHEMA);
            spicedb.touch(RelationshipText.parse(RELATIONSHIPS));
            PostFilter<Hit> readable = PostFilter.of(spicedb, "read", hit -> ObjectRef.of("document", hit.chunk().docId()));
            float[] query = embed(question);
            HitSource<Hit> search = (offset, limit) -> {
                List<Hit> ranked = chunks.stream()
                        .map(c -> new Hit(c, cosine(query, c.vector())))
                        .filter(h -> h.score() > 0.05) // minimum relevance
                        .sorted(Comparator.comparingDouble(Hit::score).reversed())
                        .toList();
                return ranked.subList(Math.min(offset, ranked.size()), Math.min(ranked.size(), offset + limit));
            };

            System.out.println("Question: " + question);
            System.out.println("Embedded SpiceDB: " + spicedb);
            for (String user : List.of("emilia", "beatrice", "charlie")) {
                FilterResult<Hit> result = readable.topK(search, 3, SubjectRef.of("user", user));
                System.out.println();
                System.out.println("== " + user + ": " + result.kept().size() + " chunks of context (examined "
                        + result.examined() + ")");
                for (Hit h : result.kept()) {
                    System.out.printf(Locale.ROOT, "   %.3f  %-28s %s%n", h.score(), h.chunk(), h.chunk().text());
                }
                List<DroppedHit> dropped = result.dropped();
                System.out.println("   filtered out: " + (dropped.isEmpty() ? "nothing" : dropped));
            }
        }
    }

    private static Chunk chunk(String docId, String title, String text) {
        return new Chunk(docId, title, text, embed(text));
    }

    /** Hashed bag-of-words embedding (256 dimensions, L2-normalised): enough to rank these chunks. */
    static float[] embed(String text) {
        float[] v = new float[256];
        for (String word : text.toLowerCase(Locale.ROOT).split("\\W+")) {
            if (word.length() > 2) {
                v[Math.floorMod(word.hashCode(), v.length)] += 1;
            }
        }
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        for (int i = 0; i < v.length; i++) {
            v[i] /= (float) Math.max(1e-9, Math.sqrt(norm));
        }
        return v;
    }

    static double cosine(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
