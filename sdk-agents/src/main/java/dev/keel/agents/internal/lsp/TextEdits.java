package dev.keel.agents.internal.lsp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * LSP text edits applied to a text, as the protocol defines them: positions are a 0-based line (lines end at
 * {@code \n}, {@code \r\n} or {@code \r}) and a 0-based offset in UTF-16 code units within the line, which is what a
 * Java {@code String} index counts. All edits of one set refer to the original text; they must not overlap; inserts
 * at one position keep their order. A position past the end of its line or of the text, or between the two halves
 * of a surrogate pair, and overlapping edits are an {@link IllegalArgumentException} naming the edit: nothing is
 * applied.
 */
final class TextEdits {
    private TextEdits() {}

    /**
     * One edit: replace the range from (startLine, startCharacter) to (endLine, endCharacter) by {@code newText}.
     *
     * @param startLine      0-based line of the start
     * @param startCharacter 0-based UTF-16 offset in that line
     * @param endLine        0-based line of the end
     * @param endCharacter   0-based UTF-16 offset in that line
     * @param newText        the replacement
     */
    record Edit(int startLine, int startCharacter, int endLine, int endCharacter, String newText) {
        /** A TextEdit (or AnnotatedTextEdit) of the protocol; a malformed one is an IllegalArgumentException. */
        static Edit of(JsonNode edit) {
            JsonNode range = edit.path("range");
            JsonNode text = edit.get("newText");
            if (!range.isObject() || text == null || !text.isTextual()) {
                throw new IllegalArgumentException("a text edit without a range or newText: " + edit);
            }
            return new Edit(number(range, "start", "line"), number(range, "start", "character"),
                    number(range, "end", "line"), number(range, "end", "character"), text.asText());
        }

        private static int number(JsonNode range, String end, String field) {
            JsonNode n = range.path(end).get(field);
            if (n == null || !n.canConvertToInt() || n.asInt() < 0) {
                throw new IllegalArgumentException("a text edit with a bad " + end + "." + field + ": " + range);
            }
            return n.asInt();
        }

        @Override
        public String toString() {
            return "edit " + (startLine + 1) + ":" + (startCharacter + 1) + "-" + (endLine + 1) + ":" + (endCharacter + 1);
        }
    }

    /** An edit with its range as offsets in the text, and its place in the set (for a stable order). */
    private record Located(Edit edit, int start, int end, int index) {}

    /**
     * The text with every edit applied.
     *
     * @throws IllegalArgumentException when an edit is out of range, splits a surrogate pair or overlaps another
     */
    static String apply(String text, List<Edit> edits) {
        int[] lineStarts = lineStarts(text);
        List<Located> located = new ArrayList<>(edits.size());
        for (int i = 0; i < edits.size(); i++) {
            Edit e = edits.get(i);
            int start = offset(text, lineStarts, e.startLine(), e.startCharacter(), e);
            int end = offset(text, lineStarts, e.endLine(), e.endCharacter(), e);
            if (end < start) {
                throw new IllegalArgumentException(e + " ends before it starts");
            }
            located.add(new Located(e, start, end, i));
        }
        located.sort(Comparator.comparingInt(Located::start).thenComparingInt(Located::end)
                .thenComparingInt(Located::index));
        StringBuilder b = new StringBuilder(text.length());
        int copied = 0;
        Located previous = null;
        for (Located l : located) {
            if (previous != null && l.start() < previous.end()) {
                throw new IllegalArgumentException(l.edit() + " overlaps " + previous.edit());
            }
            b.append(text, copied, l.start()).append(l.edit().newText());
            copied = l.end();
            previous = l;
        }
        return b.append(text, copied, text.length()).toString();
    }

    /** Where each line starts; one more entry than line breaks (the last line may be empty). */
    static int[] lineStarts(String text) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                i++;
                starts.add(i + 1);
            } else if (c == '\n' || c == '\r') {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The end of a line's content (before its line break). */
    static int lineEnd(String text, int[] lineStarts, int line) {
        if (line + 1 >= lineStarts.length) {
            return text.length();
        }
        int end = lineStarts[line + 1] - 1;
        if (text.charAt(end) == '\n' && end > lineStarts[line] && text.charAt(end - 1) == '\r') {
            end--;
        }
        return end;
    }

    private static int offset(String text, int[] lineStarts, int line, int character, Edit e) {
        if (line >= lineStarts.length) {
            throw new IllegalArgumentException(e + " is past the end of the text (" + lineStarts.length + " lines)");
        }
        int start = lineStarts[line];
        int length = lineEnd(text, lineStarts, line) - start;
        if (character > length) {
            throw new IllegalArgumentException(e + " is past the end of line " + (line + 1) + " (" + length
                    + " UTF-16 code units)");
        }
        int offset = start + character;
        if (offset > 0 && offset < text.length() && Character.isHighSurrogate(text.charAt(offset - 1))
                && Character.isLowSurrogate(text.charAt(offset))) {
            throw new IllegalArgumentException(e + " splits a surrogate pair on line " + (line + 1));
        }
        return offset;
    }
}
