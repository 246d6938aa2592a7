package dev.keel.rag.internal.chunk;

/**
 * Finds the places where a span may be cut at one level of a splitting hierarchy. A cut position
 * {@code c} means "a piece ends before c"; separators stay attached to the piece before them so the
 * pieces remain contiguous.
 */
@FunctionalInterface
public interface Boundaries {

    /** Adds cut positions strictly inside {@code (start, end)}, in increasing order. */
    void find(String text, int start, int end, IntList out);

    /** Cuts after every occurrence of {@code separator}. */
    static Boundaries after(String separator) {
        if (separator.isEmpty()) {
            throw new IllegalArgumentException("separator must not be empty");
        }
        return (text, start, end, out) -> {
            int i = text.indexOf(separator, start);
            while (i >= 0 && i + separator.length() < end) {
                out.add(i + separator.length());
                i = text.indexOf(separator, i + separator.length());
            }
        };
    }

    /** Cuts after paragraph breaks: at the first non-blank line that follows a blank line. */
    static Boundaries paragraphs() {
        return (text, start, end, out) -> {
            boolean sawBlank = false;
            int lineStart = start;
            while (lineStart < end) {
                int nl = text.indexOf('\n', lineStart);
                int lineEnd = nl < 0 || nl >= end ? end : nl;
                boolean blank = isBlank(text, lineStart, lineEnd);
                if (!blank && sawBlank && lineStart > start) {
                    out.add(lineStart);
                }
                sawBlank = blank;
                lineStart = lineEnd + 1;
            }
        };
    }

    /** Cuts after every line break. */
    static Boundaries lines() {
        return after("\n");
    }

    /** Cuts where a sentence ends: after {@code . ! ?} (and closing quotes or brackets) plus whitespace. */
    static Boundaries sentences() {
        return (text, start, end, out) -> {
            for (int i = start; i < end - 1; i++) {
                char c = text.charAt(i);
                if (c == '.' || c == '!' || c == '?') {
                    int j = i + 1;
                    while (j < end && isCloser(text.charAt(j))) {
                        j++;
                    }
                    if (j < end && Character.isWhitespace(text.charAt(j))) {
                        while (j < end && Character.isWhitespace(text.charAt(j))) {
                            j++;
                        }
                        if (j < end) {
                            out.add(j);
                        }
                        i = j - 1;
                    }
                }
            }
        };
    }

    /** Cuts before every word that follows whitespace. */
    static Boundaries words() {
        return (text, start, end, out) -> {
            for (int i = start + 1; i < end; i++) {
                if (Character.isWhitespace(text.charAt(i - 1)) && !Character.isWhitespace(text.charAt(i))) {
                    out.add(i);
                }
            }
        };
    }

    private static boolean isCloser(char c) {
        return c == '"' || c == '\'' || c == ')' || c == ']' || c == '”' || c == '’';
    }

    /** True when {@code text[start, end)} holds only whitespace. */
    static boolean isBlank(String text, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
