package dev.keel.testing.internal.safety;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Finds text of protected documents inside other text: a document "appears" when a run of {@code words}
 * consecutive words of it (all of it, when shorter) appears in the other text, both compared as lower-case words
 * of letters and digits only (accents folded), so re-wrapping, punctuation, markdown and JSON escapes do not
 * hide a quote. Immutable and thread-safe.
 */
public final class TextOverlap {
    /** Eight consecutive words: rare enough by chance in ordinary prose, short enough to catch a quoted sentence. */
    public static final int DEFAULT_WORDS = 8;

    /** One document found in a text. */
    public record Hit(String document, String words) {}

    private final int words;
    /** Each document's word runs, by document name. */
    private final Map<String, List<String>> shingles = new LinkedHashMap<>();

    private TextOverlap(Map<String, String> documents, int words) {
        this.words = words;
        documents.forEach((name, text) -> {
            List<String> w = words(Objects.requireNonNull(text, "text of " + name));
            List<String> runs = new ArrayList<>();
            if (w.size() <= words) {
                if (!w.isEmpty()) {
                    runs.add(String.join(" ", w));
                }
            } else {
                for (int i = 0; i + words <= w.size(); i++) {
                    runs.add(String.join(" ", w.subList(i, i + words)));
                }
            }
            shingles.put(Objects.requireNonNull(name, "document name"), runs);
        });
    }

    /**
     * A finder for {@code documents}.
     *
     * @param documents texts by name
     * @param words     the run of words that counts (at least 3)
     * @return the finder
     */
    public static TextOverlap of(Map<String, String> documents, int words) {
        if (words < 3) {
            throw new IllegalArgumentException("a leak is at least 3 consecutive words, got " + words);
        }
        return new TextOverlap(documents, words);
    }

    /**
     * The documents that appear in {@code text}, each with the first run of words found.
     *
     * @param text the text to look in
     * @return one hit per document found
     */
    public List<Hit> find(String text) {
        List<String> w = words(text);
        Set<String> present = new HashSet<>();
        String joined = " " + String.join(" ", w) + " ";
        for (int i = 0; i + words <= w.size(); i++) {
            present.add(String.join(" ", w.subList(i, i + words)));
        }
        List<Hit> hits = new ArrayList<>();
        for (Map.Entry<String, List<String>> doc : shingles.entrySet()) {
            for (String run : doc.getValue()) {
                boolean found = run.split(" ").length < words ? joined.contains(" " + run + " ") : present.contains(run);
                if (found) {
                    hits.add(new Hit(doc.getKey(), run));
                    break;
                }
            }
        }
        return hits;
    }

    /** Lower-case words of letters and digits, accents folded. */
    static List<String> words(String text) {
        String folded = Normalizer.normalize(text, Normalizer.Form.NFKD).replaceAll("\\p{M}", "")
                .toLowerCase(Locale.ROOT);
        return Arrays.stream(folded.split("[^\\p{L}\\p{N}]+")).filter(s -> !s.isEmpty()).toList();
    }
}
