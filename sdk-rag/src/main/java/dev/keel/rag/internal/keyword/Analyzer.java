package dev.keel.rag.internal.keyword;

import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns text into the terms BM25 counts. Both analyzers lower-case and drop English stop words (Lucene's
 * list). {@link #standard()}: runs of letters and digits. {@link #code()}: runs of letters, digits and
 * underscores; each identifier
 * is kept whole and also split at underscores and camel-case humps ({@code readValue} → {@code readvalue},
 * {@code read}, {@code value}; {@code HTTP_CLIENT} → {@code http_client}, {@code http}, {@code client}), so
 * both the identifier and the words in it match. Immutable, thread-safe.
 */
public final class Analyzer {
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "and", "are", "as", "at", "be", "but", "by",
            "for", "if", "in", "into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their",
            "then", "there", "these", "they", "this", "to", "was", "will", "with");
    private static final Analyzer STANDARD = new Analyzer(false);
    private static final Analyzer CODE = new Analyzer(true);

    private final boolean code;

    private Analyzer(boolean code) {
        this.code = code;
    }

    public static Analyzer standard() {
        return STANDARD;
    }

    public static Analyzer code() {
        return CODE;
    }

    public boolean isCodeAware() {
        return code;
    }

    /** Passes every term of {@code text} to {@code sink}, in text order (repeats included). */
    public void terms(CharSequence text, Consumer<String> sink) {
        int n = text.length();
        int i = 0;
        char[] buffer = new char[64];
        while (i < n) {
            while (i < n && !isTermChar(text.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && isTermChar(text.charAt(i))) {
                i++;
            }
            if (i > start) {
                if (i - start > buffer.length) {
                    buffer = new char[Math.max(i - start, buffer.length * 2)];
                }
                emit(text, start, i, buffer, sink);
            }
        }
    }

    private boolean isTermChar(char c) {
        if (c < 128) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (code && c == '_');
        }
        return Character.isLetterOrDigit(c);
    }

    private void emit(CharSequence text, int start, int end, char[] buffer, Consumer<String> sink) {
        boolean ascii = true;
        for (int j = start; j < end; j++) {
            char c = text.charAt(j);
            if (c >= 128) {
                ascii = false;
            }
            buffer[j - start] = c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
        }
        String whole = ascii ? new String(buffer, 0, end - start)
                : text.subSequence(start, end).toString().toLowerCase(Locale.ROOT);
        if (STOP_WORDS.contains(whole)) {
            return;
        }
        if (!code) {
            sink.accept(whole);
            return;
        }
        sink.accept(whole);
        // the parts of an identifier: split at '_' and at lower→upper / letter↔digit / ABCd humps
        int partStart = start;
        int parts = 0;
        String first = null;
        for (int j = start; j <= end; j++) {
            boolean cut = j == end || text.charAt(j) == '_';
            if (!cut && j > partStart) {
                char prev = text.charAt(j - 1);
                char c = text.charAt(j);
                cut = (Character.isLowerCase(prev) && Character.isUpperCase(c))
                        || (Character.isLetter(prev) != Character.isLetter(c) && prev != '_')
                        || (Character.isUpperCase(prev) && Character.isUpperCase(c) && j + 1 < end
                        && Character.isLowerCase(text.charAt(j + 1)));
            }
            if (cut) {
                if (j > partStart) {
                    String part = text.subSequence(partStart, j).toString().toLowerCase(Locale.ROOT);
                    if (parts == 0) {
                        first = part;
                    } else {
                        if (parts == 1) {
                            sink.accept(first);
                        }
                        sink.accept(part);
                    }
                    parts++;
                }
                partStart = j == end || text.charAt(j) != '_' ? j : j + 1;
            }
        }
    }

    @Override
    public String toString() {
        return code ? "code" : "standard";
    }
}
