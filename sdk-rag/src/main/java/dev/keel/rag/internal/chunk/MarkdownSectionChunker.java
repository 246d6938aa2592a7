package dev.keel.rag.internal.chunk;

import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.chunk.Chunker;
import dev.keel.rag.chunk.Source;
import dev.keel.rag.chunk.Tokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Splits markdown at ATX headings ({@code #} … {@code ######}). Each section keeps its heading path and
 * {@code KEYWORDS:} line as metadata. Code fences and pipe tables are atomic: never split, flagged
 * oversized when they alone exceed the limit. Sections over the limit are split at paragraphs, then
 * lines, sentences and words; sections under {@code mergeBelow} are merged into the next section when
 * the result fits. Immutable, thread-safe.
 */
public final class MarkdownSectionChunker implements Chunker {
    private static final List<Boundaries> INSIDE_PARAGRAPH =
            List.of(Boundaries.lines(), Boundaries.sentences(), Boundaries.words());

    private final int maxSize;
    private final Tokenizer tokenizer;
    private final int mergeBelow;

    public MarkdownSectionChunker(int maxSize, Tokenizer tokenizer, int mergeBelow) {
        this.maxSize = Limits.positive(maxSize, tokenizer);
        if (mergeBelow < 0 || mergeBelow > maxSize) {
            throw new IllegalArgumentException("mergeBelow must be between 0 and maxSize (" + maxSize + "), got "
                    + mergeBelow);
        }
        this.tokenizer = tokenizer;
        this.mergeBelow = mergeBelow;
    }

    /** A block of a section: a paragraph (splittable) or a fence/table (atomic), trailing blank lines included. */
    private record Block(int start, int end, boolean atomic) {
    }

    /** A section with its blocks, heading path and keywords. */
    private record Section(List<Block> blocks, String headingPath, Set<String> keywords) {
        int start() {
            return blocks.get(0).start();
        }

        int end() {
            return blocks.get(blocks.size() - 1).end();
        }
    }

    @Override
    public List<Chunk> split(Source source) {
        Objects.requireNonNull(source, "source");
        String text = source.text();
        SpanSplitter splitter = new SpanSplitter(text, tokenizer, maxSize, INSIDE_PARAGRAPH);
        List<Section> sections = mergeTiny(parse(text), splitter);
        ChunkBuilder builder = new ChunkBuilder(source);
        List<Span> spans = new ArrayList<>();
        for (Section section : sections) {
            spans.clear();
            splitSection(section, splitter, spans);
            Map<String, String> metadata = new HashMap<>();
            if (!section.headingPath().isEmpty()) {
                metadata.put(Chunk.HEADING_PATH, section.headingPath());
            }
            if (!section.keywords().isEmpty()) {
                metadata.put(Chunk.KEYWORDS, String.join(", ", section.keywords()));
            }
            Map<String, String> merged = builder.metadata(metadata);
            for (Span span : spans) {
                builder.add(span, merged);
            }
        }
        return builder.build();
    }

    private void splitSection(Section section, SpanSplitter splitter, List<Span> out) {
        if (splitter.size(section.start(), section.end()) <= maxSize) {
            out.add(new Span(section.start(), section.end(), false));
            return;
        }
        int currentStart = -1;
        int currentEnd = -1;
        for (Block block : section.blocks()) {
            if (currentStart >= 0 && splitter.size(currentStart, block.end()) <= maxSize) {
                currentEnd = block.end();
                continue;
            }
            if (currentStart >= 0) {
                out.add(new Span(currentStart, currentEnd, false));
                currentStart = -1;
            }
            if (splitter.size(block.start(), block.end()) <= maxSize) {
                currentStart = block.start();
                currentEnd = block.end();
            } else if (block.atomic()) {
                out.add(new Span(block.start(), block.end(), true));
            } else {
                splitter.split(block.start(), block.end(), out);
            }
        }
        if (currentStart >= 0) {
            out.add(new Span(currentStart, currentEnd, false));
        }
    }

    private List<Section> mergeTiny(List<Section> sections, SpanSplitter splitter) {
        if (mergeBelow == 0 || sections.size() < 2) {
            return sections;
        }
        List<Section> merged = new ArrayList<>();
        Section pending = null;
        for (Section next : sections) {
            if (pending == null) {
                pending = next;
                continue;
            }
            if (splitter.size(pending.start(), pending.end()) < mergeBelow
                    && splitter.size(pending.start(), next.end()) <= maxSize) {
                pending = join(pending, next, next.headingPath());
            } else {
                merged.add(pending);
                pending = next;
            }
        }
        if (!merged.isEmpty() && splitter.size(pending.start(), pending.end()) < mergeBelow) {
            Section previous = merged.get(merged.size() - 1);
            if (splitter.size(previous.start(), pending.end()) <= maxSize) {
                merged.set(merged.size() - 1, join(previous, pending, previous.headingPath()));
                return merged;
            }
        }
        merged.add(pending);
        return merged;
    }

    private static Section join(Section first, Section second, String headingPath) {
        List<Block> blocks = new ArrayList<>(first.blocks());
        blocks.addAll(second.blocks());
        Set<String> keywords = new LinkedHashSet<>(first.keywords());
        keywords.addAll(second.keywords());
        return new Section(blocks, headingPath, keywords);
    }

    // ---- parsing ----

    private static List<Section> parse(String text) {
        List<Section> sections = new ArrayList<>();
        String[] headings = new String[7];
        String path = "";
        List<Block> blocks = new ArrayList<>();
        Set<String> keywords = new LinkedHashSet<>();
        int n = text.length();
        int blockStart = 0;
        boolean blockHasContent = false;
        int lineStart = 0;
        while (lineStart < n) {
            int lineEnd = lineEnd(text, lineStart);
            int next = Math.min(n, lineEnd + 1);
            int fence = fenceLength(text, lineStart, lineEnd);
            int level = fence > 0 ? 0 : headingLevel(text, lineStart, lineEnd);
            if (level > 0) {
                if (lineStart > 0) {
                    if (lineStart > blockStart) {
                        blocks.add(new Block(blockStart, lineStart, false));
                    }
                    if (!blocks.isEmpty()) {
                        sections.add(new Section(blocks, path, keywords));
                    }
                    blocks = new ArrayList<>();
                    keywords = new LinkedHashSet<>();
                }
                headings[level] = headingText(text, lineStart, lineEnd, level);
                for (int l = level + 1; l < headings.length; l++) {
                    headings[l] = null;
                }
                path = headingPath(headings);
                blockStart = lineStart;
                blockHasContent = false; // the heading line stays with the first paragraph
                lineStart = next;
                continue;
            }
            boolean blank = Boundaries.isBlank(text, lineStart, lineEnd);
            if (fence > 0 || isTableStart(text, lineStart, lineEnd, next, n)) {
                // close the paragraph before the atomic block
                if (lineStart > blockStart) {
                    blocks.add(new Block(blockStart, lineStart, false));
                }
                int atomicEnd = fence > 0 ? fenceEnd(text, next, n, text.charAt(firstNonSpace(text, lineStart)), fence)
                        : tableEnd(text, lineStart, n);
                atomicEnd = skipBlankLines(text, atomicEnd, n);
                blocks.add(new Block(lineStart, atomicEnd, true));
                blockStart = atomicEnd;
                blockHasContent = false;
                lineStart = atomicEnd;
                continue;
            }
            if (!blank) {
                String keywordLine = keywords(text, lineStart, lineEnd);
                if (keywordLine != null && !keywordLine.isEmpty()) {
                    keywords.add(keywordLine);
                }
                if (!blockHasContent) {
                    blockHasContent = true;
                } else if (lineStart > blockStart && Boundaries.isBlank(text, previousLineStart(text, lineStart),
                        lineStart - 1)) {
                    // a new paragraph starts after blank lines
                    blocks.add(new Block(blockStart, lineStart, false));
                    blockStart = lineStart;
                }
            }
            lineStart = next;
        }
        if (n > blockStart) {
            blocks.add(new Block(blockStart, n, false));
        }
        if (!blocks.isEmpty()) {
            sections.add(new Section(blocks, path, keywords));
        }
        return sections;
    }

    private static int lineEnd(String text, int lineStart) {
        int nl = text.indexOf('\n', lineStart);
        return nl < 0 ? text.length() : nl;
    }

    private static int previousLineStart(String text, int lineStart) {
        int nl = text.lastIndexOf('\n', lineStart - 2);
        return nl + 1;
    }

    private static int firstNonSpace(String text, int lineStart) {
        int i = lineStart;
        while (i < text.length() && i - lineStart < 3 && text.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    /** Length of the fence run when the line opens a code fence (``` or ~~~), else 0. */
    private static int fenceLength(String text, int lineStart, int lineEnd) {
        int i = firstNonSpace(text, lineStart);
        if (i >= lineEnd) {
            return 0;
        }
        char c = text.charAt(i);
        if (c != '`' && c != '~') {
            return 0;
        }
        int j = i;
        while (j < lineEnd && text.charAt(j) == c) {
            j++;
        }
        int length = j - i;
        if (length < 3) {
            return 0;
        }
        if (c == '`' && text.indexOf('`', j) >= 0 && text.indexOf('`', j) < lineEnd) {
            return 0; // backtick fences may not have backticks in the info string
        }
        return length;
    }

    /** End (after the newline) of the line that closes the fence, or the end of text when unclosed. */
    private static int fenceEnd(String text, int from, int n, char fenceChar, int fenceLength) {
        int lineStart = from;
        while (lineStart < n) {
            int lineEnd = lineEnd(text, lineStart);
            int i = firstNonSpace(text, lineStart);
            int j = i;
            while (j < lineEnd && text.charAt(j) == fenceChar) {
                j++;
            }
            if (j - i >= fenceLength && Boundaries.isBlank(text, j, lineEnd)) {
                return Math.min(n, lineEnd + 1);
            }
            lineStart = lineEnd + 1;
        }
        return n;
    }

    private static boolean isTableStart(String text, int lineStart, int lineEnd, int next, int n) {
        int i = firstNonSpace(text, lineStart);
        if (i < lineEnd && text.charAt(i) == '|') {
            return true;
        }
        if (text.indexOf('|', lineStart) < 0 || text.indexOf('|', lineStart) >= lineEnd || next >= n) {
            return false;
        }
        return isDelimiterRow(text, next, lineEnd(text, next));
    }

    /** A GFM table delimiter row such as {@code |---|:--:|} or {@code --- | ---}. */
    private static boolean isDelimiterRow(String text, int start, int end) {
        boolean dash = false;
        boolean pipe = false;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == '-') {
                dash = true;
            } else if (c == '|') {
                pipe = true;
            } else if (c != ':' && c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return dash && pipe;
    }

    /** End of a table: the first line that is blank or has no pipe. */
    private static int tableEnd(String text, int lineStart, int n) {
        int s = lineStart;
        while (s < n) {
            int e = lineEnd(text, s);
            int pipe = text.indexOf('|', s);
            if (Boundaries.isBlank(text, s, e) || pipe < 0 || pipe >= e) {
                return s;
            }
            s = Math.min(n, e + 1);
        }
        return n;
    }

    private static int skipBlankLines(String text, int from, int n) {
        int s = from;
        while (s < n) {
            int e = lineEnd(text, s);
            if (!Boundaries.isBlank(text, s, e)) {
                return s;
            }
            s = Math.min(n, e + 1);
        }
        return n;
    }

    private static int headingLevel(String text, int lineStart, int lineEnd) {
        int i = firstNonSpace(text, lineStart);
        int j = i;
        while (j < lineEnd && text.charAt(j) == '#') {
            j++;
        }
        int level = j - i;
        if (level < 1 || level > 6) {
            return 0;
        }
        return j == lineEnd || text.charAt(j) == ' ' || text.charAt(j) == '\t' ? level : 0;
    }

    private static String headingText(String text, int lineStart, int lineEnd, int level) {
        String title = text.substring(firstNonSpace(text, lineStart) + level, lineEnd).strip();
        int hashes = title.length();
        while (hashes > 0 && title.charAt(hashes - 1) == '#') {
            hashes--;
        }
        if (hashes < title.length() && (hashes == 0 || title.charAt(hashes - 1) == ' ')) {
            title = title.substring(0, hashes).strip();
        }
        return "#".repeat(level) + " " + title;
    }

    private static String headingPath(String[] headings) {
        StringBuilder path = new StringBuilder();
        for (int l = 1; l < headings.length; l++) {
            if (headings[l] != null) {
                if (path.length() > 0) {
                    path.append(" > ");
                }
                path.append(headings[l]);
            }
        }
        return path.toString();
    }

    private static String keywords(String text, int lineStart, int lineEnd) {
        int first = lineStart;
        while (first < lineEnd && Character.isWhitespace(text.charAt(first))) {
            first++;
        }
        if (first == lineEnd || (text.charAt(first) != 'K' && text.charAt(first) != 'k')) {
            return null;
        }
        String line = text.substring(lineStart, lineEnd).strip();
        if (line.regionMatches(true, 0, "KEYWORDS:", 0, 9)) {
            return line.substring(9).strip();
        }
        return null;
    }

    @Override
    public String toString() {
        return "MarkdownSectionChunker[maxSize=" + maxSize + " " + tokenizer.unit() + ", mergeBelow=" + mergeBelow + "]";
    }
}
