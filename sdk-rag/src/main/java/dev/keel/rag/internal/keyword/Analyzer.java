package dev.keel.rag.internal.keyword;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Turns text into the terms BM25 counts. Both analyzers lower-case and drop English stop words (Lucene's
 * list). {@link #standard()}: runs of letters and digits. {@link #code()}: runs of letters, digits and
 * underscores; each identifier is kept whole and also split at underscores and camel-case humps
 * ({@code readValue} → {@code readvalue}, {@code read}, {@code value}; {@code HTTP_CLIENT} →
 * {@code http_client}, {@code http}, {@code client}), so both the identifier and the words in it match.
 * Terms are handed out as slices of a reused buffer, so analysis allocates nothing per term. Immutable,
 * thread-safe.
 */
public final class Analyzer {
    private static final String[] STOP_WORDS = {"a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if",
        "in", "into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
        "these", "they", "this", "to", "was", "will", "with"};
    /** Stop words packed 5 bits per letter into a long, sorted: a lookup allocates nothing. */
    private static final long[] STOP_KEYS;
    private static final Analyzer STANDARD = new Analyzer(false);
    private static final Analyzer CODE = new Analyzer(true);

    static {
        long[] keys = new long[STOP_WORDS.length];
        for (int i = 0; i < keys.length; i++) {
            char[] c = STOP_WORDS[i].toCharArray();
            keys[i] = pack(c, 0, c.length);
        }
        Arrays.sort(keys);
        STOP_KEYS = keys;
    }

    /** Receives one term: {@code chars[offset, offset + length)}, valid only during the call. */
    @FunctionalInterface
    public interface TermSink {
        void term(char[] chars, int offset, int length);
    }

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

    /** Passes every term of {@code text} to {@code sink} as a string, in text order (repeats included). */
    public void terms(CharSequence text, Consumer<String> sink) {
        terms(text, (chars, offset, length) -> sink.accept(new String(chars, offset, length)));
    }

    /** Passes every term of {@code text} to {@code sink}, in text order (repeats included). */
    public void terms(CharSequence text, TermSink sink) {
        int n = text.length();
        int i = 0;
        char[] buffer = new char[64];
        while (i < n) {
            while (i < n && !isTermChar(text.charAt(i))) {
                i++;
            }
            int start = i;
            boolean ascii = true;
            while (i < n) {
                char c = text.charAt(i);
                if (c < 128) {
                    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                            || (code && c == '_'))) {
                        break;
                    }
                } else if (Character.isLetterOrDigit(c)) {
                    ascii = false;
                } else {
                    break;
                }
                i++;
            }
            if (i > start) {
                if (i - start > buffer.length) {
                    buffer = new char[Math.max(i - start, buffer.length * 2)];
                }
                emit(text, start, i, ascii, buffer, sink);
            }
        }
    }

    private boolean isTermChar(char c) {
        if (c < 128) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (code && c == '_');
        }
        return Character.isLetterOrDigit(c);
    }

    private void emit(CharSequence text, int start, int end, boolean ascii, char[] buffer, TermSink sink) {
        int length = end - start;
        if (ascii) {
            for (int j = start; j < end; j++) {
                char c = text.charAt(j);
                buffer[j - start] = c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
            }
        } else {
            String lower = text.subSequence(start, end).toString().toLowerCase(Locale.ROOT);
            if (lower.length() != length) { // a rare lower-casing that changes the length: no identifier parts
                char[] chars = lower.toCharArray();
                if (!isStopWord(chars, 0, chars.length)) {
                    sink.term(chars, 0, chars.length);
                }
                return;
            }
            lower.getChars(0, length, buffer, 0);
        }
        if (isStopWord(buffer, 0, length)) {
            return;
        }
        sink.term(buffer, 0, length);
        if (!code) {
            return;
        }
        // the parts of an identifier: split at '_' and at lower→upper / letter↔digit / ABCd humps
        int partStart = start;
        int parts = 0;
        int firstStart = 0;
        int firstLength = 0;
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
                    if (parts == 0) {
                        firstStart = partStart - start;
                        firstLength = j - partStart;
                    } else {
                        if (parts == 1) {
                            sink.term(buffer, firstStart, firstLength);
                        }
                        sink.term(buffer, partStart - start, j - partStart);
                    }
                    parts++;
                }
                partStart = j == end || text.charAt(j) != '_' ? j : j + 1;
            }
        }
    }

    private static boolean isStopWord(char[] c, int offset, int length) {
        if (length > 5) {
            return false;
        }
        long key = pack(c, offset, length);
        return key >= 0 && Arrays.binarySearch(STOP_KEYS, key) >= 0;
    }

    /** Up to 5 letters a-z as a number, or -1 when the slice holds anything else. */
    private static long pack(char[] c, int offset, int length) {
        long key = 0;
        for (int i = 0; i < length; i++) {
            char ch = c[offset + i];
            if (ch < 'a' || ch > 'z') {
                return -1;
            }
            key = key * 32 + (ch - 'a' + 1);
        }
        return key;
    }

    @Override
    public String toString() {
        return code ? "code" : "standard";
    }
}
