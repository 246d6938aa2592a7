package dev.keel.core.internal.compose;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Ranks example phrases against a message with BM25 (k1 = 1.2, b = 0.75), each example a document. Words are
 * lower-cased runs of letters and digits; common English stop words are dropped so that "write a story about" and
 * "what is the time" do not match on "a", "is" and "the". Immutable after construction; thread-safe.
 */
public final class RouteMatcher {
    private static final double K1 = 1.2;
    private static final double B = 0.75;
    /** Lucene's English stop words, plus question words and pronouns that say nothing about a task. */
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "and", "are", "as", "at", "be", "but", "by", "for",
            "if", "in", "into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
            "these", "they", "this", "to", "was", "will", "with", "about", "can", "do", "from", "how", "i", "its", "me",
            "my", "please", "so", "we", "what", "when", "where", "which", "who", "you", "your");

    /** An example that matched: its route, its text and its score. */
    public record Match(int route, String example, double score) {}

    private record Example(int route, String text, Map<String, Integer> termCounts, int length) {}

    private final List<Example> examples = new ArrayList<>();
    private final Map<String, Integer> documentFrequency = new HashMap<>();
    private final double averageLength;

    /** @param examplesByRoute the examples of each route, routes in order */
    public RouteMatcher(List<List<String>> examplesByRoute) {
        long total = 0;
        for (int route = 0; route < examplesByRoute.size(); route++) {
            for (String text : examplesByRoute.get(route)) {
                List<String> words = words(text);
                Map<String, Integer> counts = new HashMap<>();
                words.forEach(w -> counts.merge(w, 1, Integer::sum));
                counts.keySet().forEach(w -> documentFrequency.merge(w, 1, Integer::sum));
                examples.add(new Example(route, text, counts, words.size()));
                total += words.size();
            }
        }
        averageLength = examples.isEmpty() ? 0 : Math.max(1.0, (double) total / examples.size());
    }

    /** The best-scoring example for {@code message}, if any example shares a word with it; earlier routes win ties. */
    public Optional<Match> best(String message) {
        List<String> query = words(message).stream().distinct().toList();
        Match best = null;
        int n = examples.size();
        for (Example e : examples) {
            double score = 0;
            for (String term : query) {
                Integer tf = e.termCounts().get(term);
                if (tf == null) {
                    continue;
                }
                int df = documentFrequency.get(term);
                double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
                score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * e.length() / averageLength));
            }
            if (score > 0 && (best == null || score > best.score())) {
                best = new Match(e.route(), e.text(), score);
            }
        }
        return Optional.ofNullable(best);
    }

    /** Lower-cased runs of letters and digits, stop words dropped. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (Character.isLetterOrDigit(cp)) {
                word.appendCodePoint(cp);
            } else {
                flush(word, out);
            }
        });
        flush(word, out);
        return out;
    }

    private static void flush(StringBuilder word, List<String> out) {
        if (word.length() > 0) {
            String w = word.toString().toLowerCase(Locale.ROOT);
            if (!STOP_WORDS.contains(w)) {
                out.add(w);
            }
            word.setLength(0);
        }
    }

    @Override
    public String toString() {
        return "RouteMatcher[" + examples.size() + " examples]";
    }
}
