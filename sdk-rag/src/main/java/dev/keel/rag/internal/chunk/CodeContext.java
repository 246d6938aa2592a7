package dev.keel.rag.internal.chunk;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a position of a source file sits in its structure: the declarations that enclose it, outermost first, as
 * one line ({@code package a.b > public class C > void m(int x)}). What a semantic-embeddings summary prompt gets
 * for docker-agent's {@code ast_context}.
 *
 * <p>Keel parses no language fully, so the structure is read the way a reader skims: brace languages (Java, Kotlin,
 * JavaScript/TypeScript, Go, Rust, C/C++, C#, Swift, PHP, Scala, Dart) by the braces that are still open at the
 * position, skipping comments and string literals and keeping the blocks whose header is a declaration rather
 * than a control statement; Python by the {@code class}/{@code def} lines whose indentation encloses the
 * position; Markdown by its heading path (outside code fences). Other files have no context (an empty string).
 * Unbalanced or unusual text never fails: the answer is then only less complete. Stateless and thread-safe.
 */
public final class CodeContext {
    private static final int MAX_HEADER = 160;
    private static final int MAX_DEPTH = 8;
    private static final Set<String> BRACE_LANGUAGES = Set.of("java", "kt", "kts", "scala", "groovy", "gradle", "js",
            "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts", "go", "rs", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "cs",
            "swift", "php", "dart");
    /** Brace languages whose statements end at a line's end (outside parentheses) as well as at a semicolon. */
    private static final Set<String> NEWLINE_ENDS_STATEMENT = Set.of("go", "kt", "kts", "scala", "swift", "groovy",
            "gradle");
    private static final Set<String> CONTROL = Set.of("if", "else", "for", "foreach", "while", "do", "switch", "try",
            "catch", "finally", "return", "case", "default", "select", "loop", "match", "unsafe", "defer", "go",
            "synchronized", "with", "using", "lock", "checked", "unchecked", "fixed", "new");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*(package|namespace|module)\\s+([\\w.:\\\\]+)");
    private static final Pattern LEADING_ANNOTATIONS = Pattern.compile("^(@[\\w.]+(\\([^)]*\\))?\\s*)+");
    private static final Pattern PY_DECLARATION = Pattern.compile("^(\\s*)((?:async\\s+)?def\\s+\\w+.*|class\\s+\\w+.*)$");
    private static final Pattern MD_HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");

    private CodeContext() {}

    /**
     * The declarations enclosing {@code offset} in {@code text}, read as the language {@code path}'s extension says.
     *
     * @param path the file's path or name (its extension picks the reading)
     * @param text the whole file
     * @param offset a position in {@code text} (clamped to its bounds)
     * @return the enclosing declarations joined with {@code " > "}, or an empty string when none are known
     */
    public static String of(String path, String text, int offset) {
        int at = Math.max(0, Math.min(offset, text.length()));
        String ext = extension(path);
        List<String> parts;
        if (BRACE_LANGUAGES.contains(ext)) {
            parts = braces(text, at, ext);
        } else if (ext.equals("py") || ext.equals("pyi")) {
            parts = python(text, at);
        } else if (ext.equals("md") || ext.equals("markdown") || ext.equals("mdx")) {
            parts = markdown(text, at);
        } else {
            parts = List.of();
        }
        return String.join(" > ", parts);
    }

    private static String extension(String path) {
        String name = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** The headers of the blocks still open at {@code at}, after the file's package line if it has one. */
    private static List<String> braces(String text, int at, String ext) {
        boolean rust = ext.equals("rs");
        boolean newlineEnds = NEWLINE_ENDS_STATEMENT.contains(ext);
        // a block opened inside parentheses (a lambda, an anonymous class passed as an argument) is no declaration
        Deque<String> open = new ArrayDeque<>();
        StringBuilder header = new StringBuilder();
        int parens = 0;
        int i = 0;
        while (i < at) {
            char c = text.charAt(i);
            char next = i + 1 < at ? text.charAt(i + 1) : '\0';
            if (c == '/' && next == '/') {
                i = lineEnd(text, i, at);
                header.append(' ');
            } else if (c == '/' && next == '*') {
                int close = text.indexOf("*/", i + 2);
                i = close < 0 || close + 2 > at ? at : close + 2;
                header.append(' ');
            } else if (c == '"' || c == '`' || c == '\'' && (!rust || isRustChar(text, i, at))) {
                int end = skipString(text, i, at);
                header.append(end == i + 1 ? String.valueOf(c) : "\"\"");
                i = end;
            } else if (c == '{') {
                open.push(parens > 0 ? "" : clean(header));
                header.setLength(0);
                i++;
            } else if (c == '}') {
                if (!open.isEmpty()) {
                    open.pop();
                }
                header.setLength(0);
                parens = 0;
                i++;
            } else if (c == ';' && parens == 0 || c == '\n' && parens == 0 && (newlineEnds || blankLine(header))) {
                header.setLength(0);
                i++;
            } else {
                if (c == '(') {
                    parens++;
                } else if (c == ')' && parens > 0) {
                    parens--;
                }
                header.append(c);
                i++;
            }
        }
        List<String> out = new ArrayList<>();
        Matcher pkg = PACKAGE.matcher(text.substring(0, at));
        if (pkg.find()) {
            out.add(pkg.group(1) + " " + pkg.group(2));
        }
        List<String> blocks = new ArrayList<>(open);
        java.util.Collections.reverse(blocks);
        for (String h : blocks) {
            if (isDeclaration(h)) {
                out.add(h);
            }
        }
        return limit(out);
    }

    /** In Rust a quote starts a character literal ({@code 'x'}, {@code '\n'}) or is a lifetime ({@code 'a}). */
    private static boolean isRustChar(String text, int from, int at) {
        if (from + 2 < at && text.charAt(from + 1) == '\\') {
            return true;
        }
        return from + 2 < at && text.charAt(from + 2) == '\'';
    }

    /** Whether the header's current line is blank: a blank line ends whatever came before it. */
    private static boolean blankLine(StringBuilder header) {
        for (int k = header.length() - 1; k >= 0; k--) {
            char h = header.charAt(k);
            if (h == '\n') {
                return true;
            }
            if (!Character.isWhitespace(h)) {
                return false;
            }
        }
        return true;
    }

    private static int lineEnd(String text, int from, int at) {
        int nl = text.indexOf('\n', from);
        return nl < 0 || nl > at ? at : nl;
    }

    /**
     * Skips a string literal starting at {@code from}. A quote that does not close on its line is not a string
     * (a Rust lifetime, an apostrophe in odd code): only the quote is skipped. Backticks and triple quotes span lines.
     */
    private static int skipString(String text, int from, int at) {
        char q = text.charAt(from);
        boolean triple = q == '"' && text.startsWith("\"\"\"", from);
        if (triple) {
            int close = text.indexOf("\"\"\"", from + 3);
            return close < 0 || close + 3 > at ? at : close + 3;
        }
        for (int i = from + 1; i < at; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == q) {
                return i + 1;
            } else if (c == '\n' && q != '`') {
                return from + 1;
            }
        }
        return q == '`' ? at : from + 1;
    }

    private static String clean(CharSequence header) {
        String h = header.toString().replaceAll("\\s+", " ").strip();
        h = LEADING_ANNOTATIONS.matcher(h).replaceFirst("").strip();
        return h.length() <= MAX_HEADER ? h : h.substring(0, MAX_HEADER - 1) + "…";
    }

    private static boolean isDeclaration(String header) {
        if (header.isEmpty() || header.equals("static")
                || !Character.isLetter(header.codePointAt(0)) && header.charAt(0) != '_') {
            return false;
        }
        char last = header.charAt(header.length() - 1);
        if (last == '(' || last == ',' || last == '[' || last == '=' || last == '.' || header.endsWith("->")) {
            return false;
        }
        String first = header.split("[\\s(<:]", 2)[0];
        return !CONTROL.contains(first);
    }

    /** The {@code class}/{@code def} lines whose indentation encloses the first line at or after {@code at}. */
    private static List<String> python(String text, int at) {
        Deque<int[]> indents = new ArrayDeque<>();
        Deque<String> headers = new ArrayDeque<>();
        for (String line : linesBefore(text, at)) {
            String stripped = line.strip();
            if (!stripped.isEmpty() && !stripped.startsWith("#")) {
                int indent = indentOf(line);
                popTo(indents, headers, indent);
                Matcher m = PY_DECLARATION.matcher(line);
                if (m.matches()) {
                    String h = m.group(2).strip();
                    if (h.endsWith(":")) {
                        h = h.substring(0, h.length() - 1).strip();
                    }
                    indents.push(new int[] {indent});
                    headers.push(h.length() <= MAX_HEADER ? h : h.substring(0, MAX_HEADER - 1) + "…");
                }
            }
        }
        int chunkIndent = firstIndentFrom(text, at);
        if (chunkIndent >= 0) {
            popTo(indents, headers, chunkIndent);
        }
        List<String> out = new ArrayList<>(headers);
        java.util.Collections.reverse(out);
        return limit(out);
    }

    private static void popTo(Deque<int[]> indents, Deque<String> headers, int indent) {
        while (!indents.isEmpty() && indents.peek()[0] >= indent) {
            indents.pop();
            headers.pop();
        }
    }

    private static int indentOf(String line) {
        int n = 0;
        while (n < line.length() && (line.charAt(n) == ' ' || line.charAt(n) == '\t')) {
            n++;
        }
        return n;
    }

    /** The indentation of the first non-blank line at or after {@code at} (from its line's start), or -1. */
    private static int firstIndentFrom(String text, int at) {
        int lineStart = text.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
        if (at > 0 && text.charAt(at - 1) != '\n' && !text.substring(lineStart, at).isBlank()) {
            return Integer.MAX_VALUE; // the position is inside a line: every open block encloses it
        }
        while (lineStart < text.length()) {
            int nl = text.indexOf('\n', lineStart);
            int end = nl < 0 ? text.length() : nl;
            String line = text.substring(lineStart, end);
            if (!line.isBlank() && !line.strip().startsWith("#")) {
                return indentOf(line);
            }
            if (nl < 0) {
                break;
            }
            lineStart = nl + 1;
        }
        return -1;
    }

    /** The heading path at {@code at}: each heading before it closes the headings of its level and deeper. */
    private static List<String> markdown(String text, int at) {
        String[] byLevel = new String[7];
        boolean fence = false;
        for (String line : linesBefore(text, at)) {
            String stripped = line.strip();
            if (stripped.startsWith("```") || stripped.startsWith("~~~")) {
                fence = !fence;
            } else if (!fence) {
                Matcher m = MD_HEADING.matcher(line);
                if (m.matches()) {
                    int level = m.group(1).length();
                    byLevel[level] = m.group(1) + " " + m.group(2);
                    for (int l = level + 1; l <= 6; l++) {
                        byLevel[l] = null;
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (int l = 1; l <= 6; l++) {
            if (byLevel[l] != null) {
                out.add(byLevel[l]);
            }
        }
        return out;
    }

    /** The lines that start before {@code at} (the last one whole, even where {@code at} is inside it). */
    private static List<String> linesBefore(String text, int at) {
        List<String> lines = new ArrayList<>();
        int lineStart = 0;
        while (lineStart < at) {
            int nl = text.indexOf('\n', lineStart);
            lines.add(text.substring(lineStart, nl < 0 ? text.length() : nl));
            if (nl < 0) {
                break;
            }
            lineStart = nl + 1;
        }
        return lines;
    }

    /** The outermost and the innermost declarations when there are more than {@link #MAX_DEPTH}. */
    private static List<String> limit(List<String> parts) {
        if (parts.size() <= MAX_DEPTH) {
            return parts;
        }
        List<String> out = new ArrayList<>(parts.subList(0, 2));
        out.add("…");
        out.addAll(parts.subList(parts.size() - (MAX_DEPTH - 3), parts.size()));
        return out;
    }
}
