package dev.keel.rag.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The obvious, slow, double-precision search the store must agree with. */
final class BruteForce {
    private BruteForce() {
    }

    record Scored(String id, double score) {
    }

    static double score(Metric metric, float[] q, float[] x) {
        double dot = 0;
        double qq = 0;
        double xx = 0;
        double dist = 0;
        for (int i = 0; i < q.length; i++) {
            dot += (double) q[i] * x[i];
            qq += (double) q[i] * q[i];
            xx += (double) x[i] * x[i];
            double d = (double) q[i] - x[i];
            dist += d * d;
        }
        return switch (metric) {
            case COSINE -> dot / Math.sqrt(qq * xx);
            case DOT_PRODUCT -> dot;
            case EUCLIDEAN -> 1 / (1 + Math.sqrt(dist));
        };
    }

    static List<Scored> search(Metric metric, Map<String, float[]> data, Map<String, Map<String, String>> meta,
                               float[] q, int k, double minScore, MetadataFilter filter) {
        List<Scored> all = new ArrayList<>();
        data.forEach((id, x) -> {
            double s = score(metric, q, x);
            if (s >= minScore && filter.test(meta.getOrDefault(id, Map.of()))) {
                all.add(new Scored(id, s));
            }
        });
        all.sort(Comparator.comparingDouble(Scored::score).reversed());
        return all.subList(0, Math.min(k, all.size()));
    }
}
