package dev.keel.benchmarks.authz;

import dev.keel.authz.Check;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.PermissionsClient;
import dev.keel.authz.Relationship;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.embedded.EmbeddedSpiceDb;
import dev.keel.authz.embedded.SpiceDbLibraryNotFoundException;
import dev.keel.authz.filter.FilterResult;
import dev.keel.authz.filter.FilterStrategy;
import dev.keel.authz.filter.PostFilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * {@code benchmarks/run authz}: permission filtering against the real embedded SpiceDB.
 * <ul>
 *   <li>{@code postfilter-50}: post-filter 50 ranked hits with Keel's bulk-checking PostFilter vs the
 *       seeds' approach, one CheckPermission per hit, in the same run; speedup = peer time / keel time
 *       (target ≥ 10).</li>
 *   <li>{@code prefilter-50}: the same 50 hits decided from a LookupResources listing of everything the
 *       user may read (cost grows with that number) vs bulk checks (the peer here); speedup = bulk time /
 *       lookup time.</li>
 *   <li>{@code checks}: checks per second, bulk (100 per call) vs single; speedup = bulk rate / single rate.</li>
 *   <li>{@code retrieval-e2e}: permission-aware retrieval latency: brute-force vector search over
 *       the corpus (an in-benchmark stand-in for a vector store) + PostFilter top-5 with over-fetch,
 *       vs the same search with per-hit checks; speedup = peer time / keel time.</li>
 * </ul>
 * Args: {@code [docs=2000] [iterations=300]}.
 */
public final class AuthzSuite {
    private static final String SCHEMA = """
            definition user {}
            definition group {
                relation member: user
            }
            definition document {
                relation owner: user
                relation viewer: user | group#member
                permission read = owner + viewer
            }
            """;

    private AuthzSuite() {
    }

    public static void main(String[] args) {
        // the Unix-socket channel triggers a harmless Netty warning about SO_KEEPALIVE
        System.setProperty("org.slf4j.simpleLogger.log.io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap", "error");
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        Random random = new Random(42);
        try {
            EmbeddedSpiceDb.locateLibrary();
        } catch (SpiceDbLibraryNotFoundException e) {
            System.err.println("The embedded SpiceDB library is not installed: run scripts/setup/spicedb.sh\n" + e.getMessage());
            return;
        }
        try (EmbeddedSpiceDb spicedb = EmbeddedSpiceDb.start()) {
            spicedb.writeSchema(SCHEMA);
            List<Relationship> rels = new ArrayList<>();
            for (int u = 0; u < 20; u++) {
                rels.add(Relationship.parse("group:g" + (u % 4) + "#member@user:u" + u));
            }
            for (int d = 0; d < docs; d++) {
                rels.add(Relationship.parse("document:d" + d + "#owner@user:u" + random.nextInt(20)));
                if (random.nextBoolean()) {
                    rels.add(Relationship.parse("document:d" + d + "#viewer@group:g" + random.nextInt(4) + "#member"));
                }
            }
            for (int from = 0; from < rels.size(); from += 500) {
                spicedb.touch(rels.subList(from, Math.min(rels.size(), from + 500)));
            }
            SubjectRef user = SubjectRef.of("user", "u7");
            PostFilter<Integer> filter = PostFilter.of(spicedb, "read", d -> ObjectRef.of("document", "d" + d));

            // ---- post-filter 50 hits -------------------------------------------------------------
            // hits drawn from an independent generator, so they are not correlated with the graph's draws
            Random hitRandom = new Random(7);
            List<Integer> hits = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                hits.add(hitRandom.nextInt(docs));
            }
            List<Integer> keelKept = filter.keep(hits, user);
            List<Integer> peerKept = perHit(spicedb, hits, user);
            if (!keelKept.equals(peerKept)) {
                throw new IllegalStateException("keel and per-hit filtering disagree: " + keelKept + " vs " + peerKept);
            }
            double keel = medianMicros(iterations, () -> filter.keep(hits, user));
            double peer = medianMicros(iterations, () -> perHit(spicedb, hits, user));
            print("postfilter-50", "keel_us=%.0f peer_us=%.0f keel_filters_per_s=%.0f peer_filters_per_s=%.0f kept=%d speedup=%.2f",
                    keel, peer, 1e6 / keel, 1e6 / peer, keelKept.size(), peer / keel);

            // ---- pre-filter (LookupResources) vs post-filter for the same 50 hits ----------------
            PostFilter<Integer> lookup = PostFilter.<Integer>builder(spicedb, "read", d -> ObjectRef.of("document", "d" + d))
                    .strategy(FilterStrategy.PRE_FILTER).build();
            if (!lookup.keep(hits, user).equals(keelKept)) {
                throw new IllegalStateException("pre-filter and post-filter disagree");
            }
            long readable;
            try (var all = spicedb.lookupResources("document", "read", user, spicedb.defaultConsistency())) {
                readable = all.count();
            }
            double pre = medianMicros(Math.max(20, iterations / 5), () -> lookup.keep(hits, user));
            print("prefilter-50", "readable_docs=%d keel_lookup_us=%.0f peer=bulk-checks keel_bulk_us=%.0f speedup=%.2f",
                    readable, pre, keel, keel / pre);

            // ---- checks per second ---------------------------------------------------------------
            List<Check> hundred = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                hundred.add(Check.of(ObjectRef.of("document", "d" + random.nextInt(docs)), "read", user));
            }
            double bulkUs = medianMicros(iterations, () -> spicedb.checkBulk(hundred));
            double singleUs = medianMicros(iterations * 10, () -> spicedb.check(hundred.get(0), spicedb.defaultConsistency()));
            double bulkPerS = 100 / (bulkUs / 1e6);
            double singlePerS = 1 / (singleUs / 1e6);
            print("checks", "keel_bulk100_checks_per_s=%.0f peer_single_checks_per_s=%.0f bulk100_us=%.0f single_us=%.0f speedup=%.2f",
                    bulkPerS, singlePerS, bulkUs, singleUs, bulkPerS / singlePerS);

            // ---- end-to-end permission-aware retrieval ------------------------------------------
            float[][] vectors = new float[docs][];
            for (int d = 0; d < docs; d++) {
                vectors[d] = randomUnit(random, 384);
            }
            float[] query = randomUnit(random, 384);
            Supplier<List<Integer>> keelRetrieval = () -> filter.topK(
                    (offset, limit) -> search(vectors, query, offset + limit).subList(
                            Math.min(offset, offset + limit), Math.min(docs, offset + limit)), 5, user).kept();
            Supplier<List<Integer>> peerRetrieval = () -> {
                List<Integer> kept = new ArrayList<>();
                for (int d : search(vectors, query, 50)) {
                    if (spicedb.check(Check.of(ObjectRef.of("document", "d" + d), "read", user), spicedb.defaultConsistency()).allowed()) {
                        kept.add(d);
                        if (kept.size() == 5) {
                            break;
                        }
                    }
                }
                return kept;
            };
            if (!keelRetrieval.get().equals(peerRetrieval.get())) {
                throw new IllegalStateException("retrieval results disagree");
            }
            FilterResult<Integer> sample = filter.topK((offset, limit) -> search(vectors, query, offset + limit)
                    .subList(offset, Math.min(docs, offset + limit)), 5, user);
            double keelE2e = medianMicros(iterations, keelRetrieval);
            double peerE2e = medianMicros(iterations, peerRetrieval);
            print("retrieval-e2e", "docs=%d k=5 examined=%d keel_us=%.0f peer_us=%.0f keel_queries_per_s=%.0f peer_queries_per_s=%.0f speedup=%.2f",
                    docs, sample.examined(), keelE2e, peerE2e, 1e6 / keelE2e, 1e6 / peerE2e, peerE2e / keelE2e);
        }
    }

    private static List<Integer> perHit(PermissionsClient spicedb, List<Integer> hits, SubjectRef user) {
        List<Integer> kept = new ArrayList<>();
        for (int d : hits) {
            if (spicedb.check(Check.of(ObjectRef.of("document", "d" + d), "read", user), spicedb.defaultConsistency()).allowed()) {
                kept.add(d);
            }
        }
        return kept;
    }

    /** Brute-force top-n by dot product (vectors are unit length). */
    private static List<Integer> search(float[][] vectors, float[] query, int n) {
        Integer[] ids = new Integer[vectors.length];
        double[] scores = new double[vectors.length];
        for (int i = 0; i < vectors.length; i++) {
            ids[i] = i;
            double s = 0;
            for (int j = 0; j < query.length; j++) {
                s += vectors[i][j] * query[j];
            }
            scores[i] = s;
        }
        Arrays.sort(ids, (a, b) -> Double.compare(scores[b], scores[a]));
        return Arrays.asList(ids).subList(0, Math.min(n, ids.length));
    }

    private static float[] randomUnit(Random random, int dim) {
        float[] v = new float[dim];
        double norm = 0;
        for (int i = 0; i < dim; i++) {
            v[i] = (float) random.nextGaussian();
            norm += v[i] * v[i];
        }
        for (int i = 0; i < dim; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    private static double medianMicros(int iterations, Supplier<?> body) {
        for (int i = 0; i < Math.max(20, iterations / 5); i++) {
            body.get();
        }
        double[] samples = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            body.get();
            samples[i] = (System.nanoTime() - start) / 1e3;
        }
        Arrays.sort(samples);
        return samples[iterations / 2];
    }

    private static void print(String name, String format, Object... args) {
        System.out.println("keel-bench authz " + name + " " + String.format(Locale.ROOT, format, args));
    }
}
