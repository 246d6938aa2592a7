package dev.keel.checks.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Java snippets of a Markdown file, each turned into a compilation unit by the convention the root
 * README's "Contributing" section describes.
 *
 * <p>A block fenced with {@code ```java} is, by default, the body of a method that may throw anything,
 * in a class that imports every exported Keel package, OkHttp's client and interceptor, JUnit's API,
 * AssertJ's assertions and the common {@code java.*} packages. An HTML comment on the line right
 * before the fence adjusts that:
 *
 * <pre>
 * &lt;!-- java: given(Agent designer, Path projectDir); imports(dev.keel.authz.embedded.EmbeddedSpiceDb) --&gt;
 * &lt;!-- java: members --&gt;     the block declares fields and methods of the class
 * &lt;!-- java: file --&gt;        the block is a whole compilation unit
 * </pre>
 *
 * <p>{@code given(...)} declares the variables the snippet uses but does not define, as parameters of
 * the method; {@code imports(...)} adds single-type (or {@code static}) imports, which also settle a
 * simple name that two wildcard imports would make ambiguous.
 */
record Snippets(Path markdown, List<Snippet> snippets) {
    private static final Pattern FENCE = Pattern.compile("^```java\\s*$");
    private static final Pattern DIRECTIVE = Pattern.compile("^<!--\\s*java:(.*)-->\\s*$");
    private static final Pattern ITEM = Pattern.compile("\\s*(given|imports)\\((.*?)\\)\\s*|\\s*(members|file)\\s*");

    /** One snippet: where it starts (the first line after the fence, 1-based) and how it is wrapped. */
    record Snippet(Path markdown, int firstLine, String code, String kind, List<String> given, List<String> imports) {
        /** The class name of this snippet's compilation unit. */
        String className() {
            String base = markdown.getParent() == null || markdown.getParent().getFileName() == null
                    ? "root" : markdown.getParent().getFileName().toString();
            return "Snippet_" + base.replaceAll("[^A-Za-z0-9]", "_") + "_" + firstLine;
        }

        /** The generated source, and how many of its lines come before the snippet's first line. */
        Unit unit(List<String> standardImports) {
            StringBuilder sb = new StringBuilder("package snippets;\n");
            if (kind.equals("file")) {
                Set<String> all = new LinkedHashSet<>(standardImports);
                all.addAll(imports);
                all.forEach(i -> sb.append("import ").append(i).append(";\n"));
                int offset = count(sb);
                return new Unit(className(), sb.append(code).append('\n').toString(), offset);
            }
            Set<String> all = new LinkedHashSet<>(standardImports);
            all.addAll(imports);
            all.forEach(i -> sb.append("import ").append(i).append(";\n"));
            sb.append("@SuppressWarnings(\"unused\")\nclass ").append(className()).append(" {\n");
            if (kind.equals("members")) {
                int offset = count(sb);
                return new Unit(className(), sb.append(code).append("\n}\n").toString(), offset);
            }
            sb.append("void run(").append(String.join(", ", given)).append(") throws Throwable {\n");
            int offset = count(sb);
            return new Unit(className(), sb.append(code).append("\n}\n}\n").toString(), offset);
        }

        private static int count(StringBuilder sb) {
            return (int) sb.chars().filter(c -> c == '\n').count();
        }
    }

    /** A generated compilation unit; line {@code offset + 1} holds the snippet's first line. */
    record Unit(String className, String source, int offset) {
    }

    static Snippets read(Path markdown) throws IOException {
        List<String> lines = Files.readAllLines(markdown, StandardCharsets.UTF_8);
        List<Snippet> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!FENCE.matcher(lines.get(i)).matches()) {
                continue;
            }
            String kind = "method";
            List<String> given = new ArrayList<>();
            List<String> imports = new ArrayList<>();
            Matcher directive = i > 0 ? DIRECTIVE.matcher(lines.get(i - 1).strip()) : null;
            if (directive != null && directive.matches()) {
                for (String item : directive.group(1).split(";")) {
                    if (item.isBlank()) {
                        continue;
                    }
                    Matcher m = ITEM.matcher(item);
                    if (!m.matches()) {
                        throw new IllegalArgumentException(markdown + ":" + i + ": unknown snippet directive '"
                                + item.strip() + "' (use given(...), imports(...), members or file)");
                    }
                    if (m.group(3) != null) {
                        kind = m.group(3);
                    } else if (m.group(1).equals("given")) {
                        Stream.of(m.group(2).split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(given::add);
                    } else {
                        Stream.of(m.group(2).split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(imports::add);
                    }
                }
            }
            int start = i + 1;
            int end = start;
            while (end < lines.size() && !lines.get(end).startsWith("```")) {
                end++;
            }
            if (end == lines.size()) {
                throw new IllegalArgumentException(markdown + ":" + (i + 1) + ": the java block is never closed");
            }
            found.add(new Snippet(markdown, start + 1, String.join("\n", lines.subList(start, end)), kind,
                    List.copyOf(given), List.copyOf(imports)));
            i = end;
        }
        return new Snippets(markdown, List.copyOf(found));
    }
}
