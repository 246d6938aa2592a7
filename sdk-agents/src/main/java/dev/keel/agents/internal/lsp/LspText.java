package dev.keel.agents.internal.lsp;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** Language server answers as compact text for a model: 1-based positions, one item a line. */
final class LspText {
    private LspText() {}

    private static final String[] KINDS = {"", "file", "module", "namespace", "package", "class", "method",
        "property", "field", "constructor", "enum", "interface", "function", "variable", "constant", "string",
        "number", "boolean", "array", "object", "key", "null", "enum member", "struct", "event", "operator",
        "type parameter"};
    private static final String[] SEVERITIES = {"", "error", "warning", "info", "hint"};
    private static final Map<String, String> LANGUAGES = Map.ofEntries(
            Map.entry("ts", "typescript"), Map.entry("mts", "typescript"), Map.entry("cts", "typescript"),
            Map.entry("tsx", "typescriptreact"), Map.entry("js", "javascript"), Map.entry("mjs", "javascript"),
            Map.entry("cjs", "javascript"), Map.entry("jsx", "javascriptreact"), Map.entry("go", "go"),
            Map.entry("mod", "go.mod"), Map.entry("py", "python"), Map.entry("rs", "rust"), Map.entry("java", "java"),
            Map.entry("kt", "kotlin"), Map.entry("c", "c"), Map.entry("h", "c"), Map.entry("cc", "cpp"),
            Map.entry("cpp", "cpp"), Map.entry("hpp", "cpp"), Map.entry("cs", "csharp"), Map.entry("rb", "ruby"),
            Map.entry("php", "php"), Map.entry("sh", "shellscript"), Map.entry("json", "json"),
            Map.entry("yaml", "yaml"), Map.entry("yml", "yaml"), Map.entry("md", "markdown"),
            Map.entry("html", "html"), Map.entry("css", "css"), Map.entry("lua", "lua"), Map.entry("swift", "swift"),
            Map.entry("zig", "zig"), Map.entry("tf", "terraform"));

    /** The LSP language identifier of a file, from its extension (the extension itself when not known). */
    static String languageId(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return name.equals("Dockerfile") ? "dockerfile" : "plaintext";
        }
        String ext = name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
        return LANGUAGES.getOrDefault(ext, ext);
    }

    static String kind(int kind) {
        return kind > 0 && kind < KINDS.length ? KINDS[kind] : "symbol";
    }

    /** Hover contents: MarkupContent, a MarkedString, or a list of them. */
    static String hover(JsonNode result, String where) {
        if (result == null || result.isNull() || result.isMissingNode()) {
            return "No hover information at " + where;
        }
        String text = markup(result.path("contents")).strip();
        return text.isEmpty() ? "No hover information at " + where : text;
    }

    private static String markup(JsonNode contents) {
        if (contents.isTextual()) {
            return contents.asText();
        }
        if (contents.isArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode part : contents) {
                String t = markup(part).strip();
                if (!t.isEmpty()) {
                    b.append(b.length() == 0 ? "" : "\n\n").append(t);
                }
            }
            return b.toString();
        }
        if (contents.has("language")) { // MarkedString {language, value}: shown as a fenced block
            return "```" + contents.path("language").asText() + "\n" + contents.path("value").asText() + "\n```";
        }
        return contents.path("value").asText("");
    }

    /** SignatureHelp: each signature on its line, the active one and its active parameter marked. */
    static String signatures(JsonNode result) {
        if (result == null || !result.path("signatures").isArray() || result.path("signatures").isEmpty()) {
            return "No signature help here (place the position inside a call's parentheses)";
        }
        int active = result.path("activeSignature").asInt(0);
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (JsonNode s : result.path("signatures")) {
            b.append(i == active ? "* " : "  ").append(s.path("label").asText());
            if (i == active) {
                int param = s.has("activeParameter") ? s.path("activeParameter").asInt()
                        : result.path("activeParameter").asInt(-1);
                JsonNode params = s.path("parameters");
                if (param >= 0 && param < params.size()) {
                    JsonNode label = params.get(param).path("label");
                    String name = label.isArray() && label.size() == 2
                            ? s.path("label").asText().substring(Math.min(label.get(0).asInt(), s.path("label").asText().length()),
                                    Math.min(label.get(1).asInt(), s.path("label").asText().length()))
                            : label.asText();
                    b.append("  (active parameter: ").append(name).append(')');
                }
                String doc = markup(s.path("documentation")).strip();
                if (!doc.isEmpty()) {
                    b.append('\n').append(doc);
                }
            }
            b.append('\n');
            i++;
        }
        return b.toString().stripTrailing();
    }

    /**
     * DocumentSymbol[] (nested, indented) or SymbolInformation[] (flat): {@code kind name line:col} per line.
     */
    static void symbols(JsonNode list, int depth, StringBuilder b, BiFunction<String, JsonNode, String> location) {
        for (JsonNode s : list) {
            b.append('\n').append("  ".repeat(depth)).append(kind(s.path("kind").asInt())).append(' ')
                    .append(s.path("name").asText());
            if (s.has("selectionRange")) {
                JsonNode start = s.path("selectionRange").path("start");
                b.append(' ').append(start.path("line").asInt() + 1).append(':')
                        .append(start.path("character").asInt() + 1);
            } else if (s.has("location")) {
                b.append(' ').append(location.apply(s.path("location").path("uri").asText(),
                        s.path("location").path("range").path("start")));
            }
            if (s.path("children").isArray()) {
                symbols(s.path("children"), depth + 1, b, location);
            }
        }
    }

    /** {@code path:line:col: severity [code] message (source)}, one a line, errors first. */
    static String diagnostics(String path, List<JsonNode> diagnostics) {
        if (diagnostics.isEmpty()) {
            return "No diagnostics for " + path;
        }
        List<JsonNode> sorted = diagnostics.stream().sorted(java.util.Comparator
                .comparingInt((JsonNode d) -> d.path("severity").asInt(1))
                .thenComparingInt(d -> d.path("range").path("start").path("line").asInt())).toList();
        StringBuilder b = new StringBuilder().append(diagnostics.size())
                .append(diagnostics.size() == 1 ? " diagnostic" : " diagnostics").append(" for ").append(path).append(':');
        for (JsonNode d : sorted) {
            JsonNode start = d.path("range").path("start");
            int severity = d.path("severity").asInt(1);
            b.append('\n').append(path).append(':').append(start.path("line").asInt() + 1).append(':')
                    .append(start.path("character").asInt() + 1).append(": ")
                    .append(severity > 0 && severity < SEVERITIES.length ? SEVERITIES[severity] : "error");
            JsonNode code = d.get("code");
            if (code != null && !code.isNull()) {
                b.append(" [").append(code.asText()).append(']');
            }
            b.append(' ').append(d.path("message").asText().replace('\n', ' '));
            String source = d.path("source").asText("");
            if (!source.isEmpty()) {
                b.append(" (").append(source).append(')');
            }
        }
        return b.toString();
    }
}
