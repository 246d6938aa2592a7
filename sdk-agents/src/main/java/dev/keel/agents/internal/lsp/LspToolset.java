package dev.keel.agents.internal.lsp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.agents.mcp.McpRestartPolicy;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * docker-agent's {@code lsp} toolset: a language server started on first use in the working directory, and the
 * {@code lsp_*} tools (same names and parameters as docker-agent's: {@code file}, 1-based {@code line} and
 * {@code character}) answering from it as compact text ({@code path:line:col}, 1-based, paths relative to the
 * working directory). A file a tool names is read from disk and opened or re-synchronised with the server before
 * the request, so the answer is about what is on disk now; a file outside the working directory (also through a
 * symbolic link) or of a type the toolset does not handle ({@code file_types}) is a tool error. A server that
 * crashes fails the call in progress with its exit code and is restarted at the next call as the restart policy
 * allows. Closing shuts the server down ({@code shutdown}, {@code exit}, then killed if still running). Tool calls
 * to one server are serialised; thread-safe.
 */
public final class LspToolset implements Toolset {
    private static final Logger log = LoggerFactory.getLogger(LspToolset.class);
    /** Variables of the JVM's environment a server gets besides its configured ones (as Keel's MCP servers do). */
    private static final List<String> INHERITED_ENV = List.of("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER",
            "LANG", "TMPDIR");
    private static final int MAX_RESULTS = 200;
    /** How long a server that reports no progress gets to publish the first diagnostics of a changed document. */
    private static final Duration FIRST_PUBLISH = Duration.ofSeconds(10);
    /**
     * How long without news from the server counts as settled after a change: servers publish in steps and never
     * say they are done (docker-agent waits a flat 2 s after opening a file).
     */
    private static final Duration QUIET = Duration.ofSeconds(2);

    /**
     * What to start and how.
     *
     * @param name             the toolset's name for logs and errors
     * @param command          the server's program (on the PATH, or a path)
     * @param args             its arguments
     * @param env              variables on top of {@link #INHERITED_ENV}
     * @param workingDirectory where the server runs; the workspace root; tools' files must be inside
     * @param fileTypes        extensions the server handles ({@code .go}); empty = every file
     * @param startupTimeout   the limit for starting and initialising the server
     * @param requestTimeout   the limit for each request, and for diagnostics to arrive after a change
     * @param restart          whether a server that stopped is started again
     * @param initializationOptions the {@code initializationOptions} of the server's {@code initialize} request
     *                         (server-specific settings; typescript-language-server's inlay hints are off without
     *                         its {@code preferences}); empty = none
     */
    public record Config(String name, String command, List<String> args, Map<String, String> env, Path workingDirectory,
                         List<String> fileTypes, Duration startupTimeout, Duration requestTimeout,
                         McpRestartPolicy restart, Map<String, Object> initializationOptions) {
        /**
         * Checks and copies the values.
         *
         * @param name             the toolset's name for logs and errors
         * @param command          the server's program
         * @param args             its arguments
         * @param env              variables on top of the inherited ones
         * @param workingDirectory where the server runs
         * @param fileTypes        extensions the server handles; empty = every file
         * @param startupTimeout   the limit for starting the server
         * @param requestTimeout   the limit for each request
         * @param restart          whether a server that stopped is started again
         * @param initializationOptions server-specific settings sent with {@code initialize}
         */
        public Config {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(command, "command");
            args = List.copyOf(args);
            env = Map.copyOf(env);
            workingDirectory = workingDirectory.toAbsolutePath().normalize();
            fileTypes = fileTypes.stream().map(t -> t.startsWith(".") ? t : "." + t).toList();
            Objects.requireNonNull(startupTimeout, "startupTimeout");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(restart, "restart");
            initializationOptions = Map.copyOf(initializationOptions);
        }

        /**
         * A server without initialization options.
         *
         * @param name             the toolset's name for logs and errors
         * @param command          the server's program
         * @param args             its arguments
         * @param env              variables on top of the inherited ones
         * @param workingDirectory where the server runs
         * @param fileTypes        extensions the server handles; empty = every file
         * @param startupTimeout   the limit for starting the server
         * @param requestTimeout   the limit for each request
         * @param restart          whether a server that stopped is started again
         */
        public Config(String name, String command, List<String> args, Map<String, String> env, Path workingDirectory,
                      List<String> fileTypes, Duration startupTimeout, Duration requestTimeout,
                      McpRestartPolicy restart) {
            this(name, command, args, env, workingDirectory, fileTypes, startupTimeout, requestTimeout, restart,
                    Map.of());
        }
    }

    /** A document as the server last saw it. */
    private record Document(int version, String text, long syncedAt) {}

    private final Config config;
    private final Object lock = new Object();
    private volatile LspConnection connection;
    private JsonNode capabilities;
    private String serverInfo = "";
    private final Map<Path, Document> documents = new HashMap<>();
    private volatile boolean closed;
    private boolean everStarted;
    private int restarts;
    private long droppedAt;

    private LspToolset(Config config) {
        this.config = config;
    }

    /**
     * A toolset for the server {@code config} describes; nothing starts until a tool is called.
     *
     * @param config the server
     * @return the toolset
     */
    public static LspToolset of(Config config) {
        return new LspToolset(Objects.requireNonNull(config, "config"));
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public String instructions() {
        return "The lsp_* tools answer from a language server for the code in " + config.workingDirectory()
                + (config.fileTypes().isEmpty() ? "" : " (files " + String.join(", ", config.fileTypes()) + ")")
                + ". Give file paths relative to that directory (or absolute inside it); line and character are "
                + "1-based. Call lsp_diagnostics on each file you change (lsp_code_actions lists fixes), and "
                + "lsp_references before changing a definition. lsp_rename and lsp_format write files: all of the "
                + "server's edits or none; once a file has no errors, lsp_format it.";
    }

    /**
     * The running server's process id, for tests and logs.
     *
     * @return the pid, or empty while no server runs
     */
    public java.util.OptionalLong serverPid() {
        LspConnection c = connection;
        return c != null && c.isAlive() ? java.util.OptionalLong.of(c.pid()) : java.util.OptionalLong.empty();
    }

    @Override
    public List<Tool> tools() {
        JsonSchema file = JsonSchema.string("Path of the source file, relative to the working directory or absolute "
                + "inside it");
        JsonSchema line = JsonSchema.integer("Line number (1-based)");
        JsonSchema character = JsonSchema.integer("Character position on the line (1-based)");
        JsonSchema position = JsonSchema.object().required("file", file).required("line", line)
                .required("character", character).build();
        JsonSchema fileOnly = JsonSchema.object().required("file", file).build();
        java.util.function.BiFunction<String, String, JsonSchema> positionAnd = (name, description) ->
                JsonSchema.object().required("file", file).required("line", line).required("character", character)
                        .required(name, JsonSchema.string(description)).build();
        return List.of(
                tool("lsp_workspace", "Get workspace info and the language server's capabilities. Use at session "
                        + "start to discover available features. Takes no arguments.",
                        JsonSchema.object().build(), a -> workspace()),
                tool("lsp_hover", "Get type signature, documentation and hover info for a symbol at a given position.",
                        position, a -> positional(a, "hoverProvider", "textDocument/hover", Map.of(), LspText::hover)),
                tool("lsp_definition", "Find the definition location of a symbol. Returns file path and line number.",
                        position, a -> positional(a, "definitionProvider", "textDocument/definition", Map.of(),
                                this::locations)),
                tool("lsp_references", "Find all references to a symbol across the codebase. Use this before "
                        + "modifying a symbol's definition. Set include_declaration to false to leave out the "
                        + "definition itself.",
                        JsonSchema.object().required("file", file).required("line", line)
                                .required("character", character)
                                .optional("include_declaration", JsonSchema.bool("Include the declaration in results "
                                        + "(default: true)")).build(),
                        a -> positional(a, "referencesProvider", "textDocument/references",
                                Map.of("context", Map.of("includeDeclaration", a.bool("include_declaration", true))),
                                this::locations)),
                tool("lsp_implementations", "Find all concrete implementations of an interface or abstract method.",
                        position, a -> positional(a, "implementationProvider", "textDocument/implementation", Map.of(),
                                this::locations)),
                tool("lsp_signature_help", "Get the function signature and parameter information at a call site. "
                        + "Position the cursor inside the call's parentheses.",
                        position, a -> positional(a, "signatureHelpProvider", "textDocument/signatureHelp", Map.of(),
                                (r, where) -> LspText.signatures(r))),
                tool("lsp_document_symbols", "List all symbols (functions, types, methods, variables, …) defined in a "
                        + "file as a hierarchical list.", fileOnly, this::documentSymbols),
                tool("lsp_workspace_symbols", "Search for symbols across the workspace by name (fuzzy matching).",
                        JsonSchema.object().required("query", JsonSchema.string("Search query to filter symbols"))
                                .build(), this::workspaceSymbols),
                tool("lsp_diagnostics", "Get compiler errors, warnings and hints for a file. Call this after every "
                        + "change to a file.", fileOnly, this::diagnostics),
                writing("lsp_rename", "Rename a symbol across the entire workspace. WRITE operation: modifies files "
                        + "on disk (all of the server's edits or none). Run lsp_diagnostics on the modified files "
                        + "afterwards.",
                        positionAnd.apply("new_name", "The new name for the symbol"), this::rename),
                tool("lsp_code_actions", "Get available code actions (quick fixes, refactorings) for a line or range. "
                        + "Use after lsp_diagnostics reports errors.",
                        JsonSchema.object().required("file", file)
                                .required("start_line", JsonSchema.integer("Start line of the range (1-based)"))
                                .optional("end_line", JsonSchema.integer("End line of the range (1-based, defaults "
                                        + "to start_line)")).build(), this::codeActions),
                writing("lsp_format", "Format a file according to language standards. WRITE operation: modifies the "
                        + "file on disk. Only format after lsp_diagnostics reports no errors.", fileOnly, this::format),
                tool("lsp_call_hierarchy", "Analyze the call hierarchy of a function or method. Direction: "
                        + "'incoming' (who calls this) or 'outgoing' (what this calls).",
                        positionAnd.apply("direction", "Direction: 'incoming' (who calls this) or 'outgoing' (what "
                                + "this calls)"), this::callHierarchy),
                tool("lsp_type_hierarchy", "Analyze the type hierarchy. Direction: 'supertypes' (parent types) or "
                        + "'subtypes' (child types).",
                        positionAnd.apply("direction", "Direction: 'supertypes' (parent types) or 'subtypes' (child "
                                + "types)"), this::typeHierarchy),
                tool("lsp_inlay_hints", "Get inlay hints (type annotations, parameter names) for a file or line "
                        + "range. Omit start_line/end_line to get hints for the entire file.",
                        JsonSchema.object().required("file", file)
                                .optional("start_line", JsonSchema.integer("Start line of range (1-based, default: 1)"))
                                .optional("end_line", JsonSchema.integer("End line of range (1-based, default: end of "
                                        + "file)")).build(), this::inlayHints));
    }

    @FunctionalInterface
    private interface Call {
        String run(ToolArguments args) throws IOException, InterruptedException;
    }

    private Tool tool(String name, String description, JsonSchema schema, Call call) {
        return tool(name, description, schema, true, call);
    }

    /** A tool that writes files: not read-only, so approvals ask for it and read-only toolsets leave it out. */
    private Tool writing(String name, String description, JsonSchema schema, Call call) {
        return tool(name, description, schema, false, call);
    }

    private Tool tool(String name, String description, JsonSchema schema, boolean readOnly, Call call) {
        return Tool.of(ToolSpec.of(name, description, schema), readOnly, (args, ctx) -> {
            try {
                return ToolResult.ok(call.run(args));
            } catch (IllegalArgumentException e) {
                return ToolResult.error(e.getMessage());
            } catch (LspException e) {
                return ToolResult.error(e.getMessage());
            } catch (NoSuchFileException e) {
                return ToolResult.error("no such file: " + e.getFile());
            } catch (IOException e) {
                return ToolResult.error("cannot read the file: " + e.getMessage());
            }
        });
    }

    // ---- tools

    private String workspace() {
        synchronized (lock) {
            connect();
            StringBuilder b = new StringBuilder();
            b.append("Language server: ").append(serverInfo.isEmpty()
                    ? String.join(" ", command()) : serverInfo).append('\n');
            b.append("Working directory: ").append(config.workingDirectory()).append('\n');
            b.append("File types: ").append(config.fileTypes().isEmpty() ? "all"
                    : String.join(", ", config.fileTypes())).append('\n');
            List<String> offered = new ArrayList<>(List.of("lsp_workspace", "lsp_diagnostics"));
            Map<String, String> providers = new LinkedHashMap<>();
            providers.put("lsp_hover", "hoverProvider");
            providers.put("lsp_definition", "definitionProvider");
            providers.put("lsp_references", "referencesProvider");
            providers.put("lsp_implementations", "implementationProvider");
            providers.put("lsp_signature_help", "signatureHelpProvider");
            providers.put("lsp_document_symbols", "documentSymbolProvider");
            providers.put("lsp_workspace_symbols", "workspaceSymbolProvider");
            providers.put("lsp_rename", "renameProvider");
            providers.put("lsp_code_actions", "codeActionProvider");
            providers.put("lsp_format", "documentFormattingProvider");
            providers.put("lsp_call_hierarchy", "callHierarchyProvider");
            providers.put("lsp_type_hierarchy", "typeHierarchyProvider");
            providers.put("lsp_inlay_hints", "inlayHintProvider");
            providers.forEach((tool, provider) -> {
                if (offers(provider)) {
                    offered.add(tool);
                }
            });
            b.append("Tools this server supports: ").append(String.join(", ", offered));
            return b.toString();
        }
    }

    @FunctionalInterface
    private interface Render {
        String render(JsonNode result, String where);
    }

    private String positional(ToolArguments a, String provider, String method, Map<String, Object> extra,
                              Render render) throws IOException {
        Path file = file(a.string("file"));
        int line = oneBased(a, "line");
        int character = oneBased(a, "character");
        JsonNode result;
        synchronized (lock) {
            LspConnection c = connect();
            require(provider, method);
            settled(c, file);
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("textDocument", Map.of("uri", LspPaths.uri(file)));
            params.put("position", Map.of("line", line - 1, "character", character - 1));
            params.putAll(extra);
            result = call(c, method, params);
        }
        return render.render(result, display(file) + ":" + line + ":" + character);
    }

    private String locations(JsonNode result, String where) {
        List<JsonNode> list = new ArrayList<>();
        if (result.isArray()) {
            result.forEach(list::add);
        } else if (!result.isNull() && !result.isMissingNode()) {
            list.add(result);
        }
        if (list.isEmpty()) {
            return "No locations found for " + where;
        }
        StringBuilder b = new StringBuilder().append(list.size()).append(list.size() == 1 ? " location" : " locations")
                .append(" for ").append(where).append(':');
        int shown = 0;
        for (JsonNode loc : list) {
            if (shown++ == MAX_RESULTS) {
                b.append("\n… ").append(list.size() - MAX_RESULTS).append(" more");
                break;
            }
            // A Location has uri + range; a LocationLink has targetUri + targetSelectionRange.
            String uri = loc.has("targetUri") ? loc.path("targetUri").asText() : loc.path("uri").asText();
            JsonNode range = loc.has("targetSelectionRange") ? loc.get("targetSelectionRange") : loc.path("range");
            b.append('\n').append(location(uri, range.path("start")));
            String text = lineText(uri, range.path("start").path("line").asInt());
            if (!text.isEmpty()) {
                b.append(": ").append(text);
            }
        }
        return b.toString();
    }

    private String documentSymbols(ToolArguments a) throws IOException {
        Path file = file(a.string("file"));
        JsonNode result;
        synchronized (lock) {
            LspConnection c = connect();
            require("documentSymbolProvider", "textDocument/documentSymbol");
            settled(c, file);
            result = call(c, "textDocument/documentSymbol", Map.of("textDocument", Map.of("uri", LspPaths.uri(file))));
        }
        if (!result.isArray() || result.isEmpty()) {
            return "No symbols in " + display(file);
        }
        StringBuilder b = new StringBuilder().append("Symbols in ").append(display(file)).append(':');
        LspText.symbols(result, 0, b, this::location);
        return b.toString();
    }

    private String workspaceSymbols(ToolArguments a) {
        String query = a.string("query");
        JsonNode result;
        synchronized (lock) {
            LspConnection c = connect();
            require("workspaceSymbolProvider", "workspace/symbol");
            result = call(c, "workspace/symbol", Map.of("query", query));
        }
        if (!result.isArray() || result.isEmpty()) {
            return "No symbols match '" + query + "'";
        }
        StringBuilder b = new StringBuilder().append(result.size()).append(" symbols match '").append(query)
                .append("':");
        int shown = 0;
        for (JsonNode s : result) {
            if (shown++ == MAX_RESULTS) {
                b.append("\n… ").append(result.size() - MAX_RESULTS).append(" more");
                break;
            }
            JsonNode loc = s.path("location");
            b.append('\n').append(LspText.kind(s.path("kind").asInt())).append(' ').append(s.path("name").asText());
            String container = s.path("containerName").asText("");
            if (!container.isEmpty()) {
                b.append(" (in ").append(container).append(')');
            }
            b.append(' ').append(loc.has("range") ? location(loc.path("uri").asText(), loc.path("range").path("start"))
                    : display(loc.path("uri").asText()));
        }
        return b.toString();
    }

    private String diagnostics(ToolArguments a) throws IOException, InterruptedException {
        Path file = file(a.string("file"));
        LspConnection c;
        long after;
        synchronized (lock) {
            c = connect();
            after = sync(c, file).syncedAt();
        }
        LspConnection.Published published = c.settle(LspPaths.uri(file), after, config.requestTimeout(), FIRST_PUBLISH,
                QUIET);
        if (published == null) {
            Integer exit = c.exitCode();
            if (exit != null) {
                throw new LspException("the language server '" + config.name() + "' exited with code " + exit);
            }
            return "The language server has not reported diagnostics for " + display(file) + " (yet)";
        }
        return LspText.diagnostics(display(file), published.diagnostics());
    }

    private String rename(ToolArguments a) throws IOException {
        String newName = a.string("new_name");
        if (newName.isBlank()) {
            throw new IllegalArgumentException("'new_name' is empty");
        }
        Path file = file(a.string("file"));
        int line = oneBased(a, "line");
        int character = oneBased(a, "character");
        String where = display(file) + ":" + line + ":" + character;
        synchronized (lock) {
            LspConnection c = connect();
            require("renameProvider", "textDocument/rename");
            // Every document the server holds is brought up to date first, so an edit that names one can be checked.
            for (Path open : List.copyOf(documents.keySet())) {
                if (Files.isRegularFile(open)) {
                    sync(c, open);
                }
            }
            settled(c, file);
            JsonNode edit = call(c, "textDocument/rename", Map.of("textDocument", Map.of("uri", LspPaths.uri(file)),
                    "position", Map.of("line", line - 1, "character", character - 1), "newName", newName));
            if (edit == null || edit.isNull() || edit.isMissingNode()) {
                throw new LspException("the language server cannot rename the symbol at " + where);
            }
            List<WorkspaceEdits.Change> changes = applyEdit(c, edit);
            if (changes.isEmpty()) {
                return "No changes were needed to rename the symbol at " + where + " to '" + newName + "'";
            }
            int total = changes.stream().mapToInt(WorkspaceEdits.Change::edits).sum();
            StringBuilder b = new StringBuilder().append("Renamed the symbol at ").append(where).append(" to '")
                    .append(newName).append("': ").append(total).append(total == 1 ? " edit in " : " edits in ")
                    .append(changes.size()).append(changes.size() == 1 ? " file:" : " files:");
            for (WorkspaceEdits.Change ch : changes) {
                b.append("\n- ").append(display(ch.file())).append(" (").append(ch.edits())
                        .append(ch.edits() == 1 ? " edit)" : " edits)");
            }
            return b.toString();
        }
    }

    private String format(ToolArguments a) throws IOException {
        Path file = file(a.string("file"));
        synchronized (lock) {
            LspConnection c = connect();
            require("documentFormattingProvider", "textDocument/formatting");
            Document doc = sync(c, file);
            JsonNode edits = call(c, "textDocument/formatting", Map.of("textDocument",
                    Map.of("uri", LspPaths.uri(file)), "options", formattingOptions(doc.text())));
            if (edits == null || !edits.isArray() || edits.isEmpty()) {
                return "No formatting changes needed for " + display(file);
            }
            WorkspaceEdits.Change change = WorkspaceEdits.plan(file, edits, edits(c));
            if (change.after().equals(change.before())) {
                return "No formatting changes needed for " + display(file);
            }
            written(c, List.of(change));
            return "Formatted " + display(file) + ": applied " + change.edits() + " formatting "
                    + (change.edits() == 1 ? "edit" : "edits");
        }
    }

    /**
     * The file's own indentation, so formatting keeps it: tabs when a line starts with one, else spaces as wide as
     * the narrowest indented line (4 when nothing is indented).
     */
    static Map<String, Object> formattingOptions(String text) {
        boolean tabs = false;
        int width = 0;
        for (String l : text.split("\r\n|\r|\n")) {
            if (l.startsWith("\t")) {
                tabs = true;
                break;
            }
            int spaces = 0;
            while (spaces < l.length() && l.charAt(spaces) == ' ') {
                spaces++;
            }
            if (spaces > 0 && spaces < l.length() && (width == 0 || spaces < width)) {
                width = spaces;
            }
        }
        int tabSize = tabs || width == 0 ? 4 : Math.min(width, 8);
        return Map.of("tabSize", tabSize, "insertSpaces", !tabs, "trimTrailingWhitespace", true,
                "insertFinalNewline", true);
    }

    /** Checks and writes a WorkspaceEdit (all or nothing), then tells the server the new texts. Under the lock. */
    private List<WorkspaceEdits.Change> applyEdit(LspConnection c, JsonNode edit) throws IOException {
        List<WorkspaceEdits.Change> changes = WorkspaceEdits.plan(edit, edits(c)).stream()
                .filter(ch -> !ch.after().equals(ch.before())).toList();
        written(c, changes);
        return changes;
    }

    /**
     * Checks and applies a WorkspaceEdit exactly as {@code lsp_rename} applies the server's answer (package-private:
     * tests hand it crafted edits).
     */
    List<WorkspaceEdits.Change> applyServerEdit(JsonNode edit) throws IOException {
        synchronized (lock) {
            return applyEdit(connect(), edit);
        }
    }

    private WorkspaceEdits.Workspace edits(LspConnection c) {
        return new WorkspaceEdits.Workspace() {
            @Override
            public Path confine(String uri) throws IOException {
                return editedFile(uri);
            }

            @Override
            public WorkspaceEdits.Seen seen(Path file) {
                Document d = documents.get(file);
                return d == null ? null : new WorkspaceEdits.Seen(d.version(), d.text());
            }
        };
    }

    /** Writes the changes and sends the server each file's new text (opening the ones it did not have). */
    private void written(LspConnection c, List<WorkspaceEdits.Change> changes) throws IOException {
        WorkspaceEdits.write(changes);
        for (WorkspaceEdits.Change ch : changes) {
            sync(c, ch.file());
        }
    }

    private String codeActions(ToolArguments a) throws IOException {
        Path file = file(a.string("file"));
        int start = oneBased(a, "start_line");
        int end = a.has("end_line") ? oneBased(a, "end_line") : start;
        if (end < start) {
            throw new IllegalArgumentException("'end_line' " + end + " is before 'start_line' " + start);
        }
        JsonNode result;
        synchronized (lock) {
            LspConnection c = connect();
            require("codeActionProvider", "textDocument/codeAction");
            settled(c, file);
            String text = documents.get(file).text();
            int[] lines = TextEdits.lineStarts(text);
            if (start > lines.length) {
                throw new IllegalArgumentException("'start_line' " + start + " is past the end of " + display(file)
                        + " (" + lines.length + " lines)");
            }
            int last = Math.min(end, lines.length) - 1;
            LspConnection.Published published = c.diagnostics(LspPaths.uri(file));
            List<JsonNode> inRange = new ArrayList<>();
            if (published != null) {
                for (JsonNode d : published.diagnostics()) {
                    int l = d.path("range").path("start").path("line").asInt();
                    if (l >= start - 1 && l <= last) {
                        inRange.add(d);
                    }
                }
            }
            result = call(c, "textDocument/codeAction", Map.of("textDocument", Map.of("uri", LspPaths.uri(file)),
                    "range", lines(text, start - 1, last), "context", Map.of("diagnostics", inRange)));
        }
        String where = display(file) + ":" + start + (end != start ? "-" + end : "");
        if (!result.isArray() || result.isEmpty()) {
            return "No code actions available for " + where;
        }
        StringBuilder b = new StringBuilder().append("Available code actions for ").append(where).append(':');
        int i = 0;
        for (JsonNode action : result) {
            String kind = action.path("kind").asText("");
            b.append('\n').append(++i).append(". [").append(kind.isEmpty() ? "action" : kind).append("] ")
                    .append(action.path("title").asText());
            if (action.path("isPreferred").asBoolean(false)) {
                b.append(" (preferred)");
            }
        }
        return b.toString();
    }

    private String callHierarchy(ToolArguments a) throws IOException {
        String direction = a.string("direction");
        if (!direction.equals("incoming") && !direction.equals("outgoing")) {
            throw new IllegalArgumentException("'direction' must be 'incoming' or 'outgoing', not '" + direction + "'");
        }
        return hierarchy(a, "callHierarchyProvider", "textDocument/prepareCallHierarchy",
                "callHierarchy/" + direction + "Calls", direction.equals("incoming") ? "Incoming calls to "
                        : "Outgoing calls from ", direction.equals("incoming") ? "from" : "to");
    }

    private String typeHierarchy(ToolArguments a) throws IOException {
        String direction = a.string("direction");
        if (!direction.equals("supertypes") && !direction.equals("subtypes")) {
            throw new IllegalArgumentException("'direction' must be 'supertypes' or 'subtypes', not '" + direction
                    + "'");
        }
        return hierarchy(a, "typeHierarchyProvider", "textDocument/prepareTypeHierarchy", "typeHierarchy/" + direction,
                direction.equals("supertypes") ? "Supertypes of " : "Subtypes of ", null);
    }

    /**
     * Prepares the hierarchy items at a position, then asks for each item's neighbours; {@code field} names the item
     * in a call (its {@code from} or {@code to}), null when the answer is a list of items (types).
     */
    private String hierarchy(ToolArguments a, String provider, String prepare, String method, String title,
                             String field) throws IOException {
        Path file = file(a.string("file"));
        int line = oneBased(a, "line");
        int character = oneBased(a, "character");
        String where = display(file) + ":" + line + ":" + character;
        StringBuilder b = new StringBuilder();
        synchronized (lock) {
            LspConnection c = connect();
            require(provider, prepare);
            settled(c, file);
            JsonNode items = call(c, prepare, Map.of("textDocument", Map.of("uri", LspPaths.uri(file)),
                    "position", Map.of("line", line - 1, "character", character - 1)));
            if (!items.isArray() || items.isEmpty()) {
                return "No hierarchy information at " + where;
            }
            for (JsonNode item : items) {
                JsonNode related = call(c, method, Map.of("item", item));
                b.append(b.length() == 0 ? "" : "\n\n").append(title).append(item(item)).append(':');
                if (!related.isArray() || related.isEmpty()) {
                    b.append("\n(none)");
                    continue;
                }
                for (JsonNode r : related) {
                    JsonNode other = field == null ? r : r.path(field);
                    b.append("\n- ").append(item(other));
                    JsonNode ranges = r.path("fromRanges");
                    if (ranges.isArray() && !ranges.isEmpty()) {
                        // Incoming: the calls are in the caller; outgoing: in the item asked about.
                        String uri = "from".equals(field) ? other.path("uri").asText() : item.path("uri").asText();
                        List<String> at = new ArrayList<>();
                        ranges.forEach(range -> at.add(location(uri, range.path("start"))));
                        b.append(" — call").append(at.size() == 1 ? " at " : "s at ").append(String.join(", ", at));
                    }
                }
            }
        }
        return b.toString();
    }

    /** The LSP range of whole lines, 0-based, {@code last} included up to its end (not past it). */
    private static Map<String, Object> lines(String text, int first, int last) {
        int[] starts = TextEdits.lineStarts(text);
        return Map.of("start", Map.of("line", first, "character", 0), "end", Map.of("line", last,
                "character", TextEdits.lineEnd(text, starts, last) - starts[last]));
    }

    /** {@code name (kind) path:line:col}, with the item's detail when it has one. */
    private String item(JsonNode item) {
        String detail = item.path("detail").asText("");
        return item.path("name").asText() + " (" + LspText.kind(item.path("kind").asInt()) + ") "
                + location(item.path("uri").asText(), item.path("selectionRange").path("start"))
                + (detail.isEmpty() ? "" : " " + detail);
    }

    private String inlayHints(ToolArguments a) throws IOException {
        Path file = file(a.string("file"));
        int start = a.has("start_line") ? oneBased(a, "start_line") : 1;
        JsonNode result;
        int end;
        synchronized (lock) {
            LspConnection c = connect();
            require("inlayHintProvider", "textDocument/inlayHint");
            settled(c, file);
            String text = documents.get(file).text();
            int[] lines = TextEdits.lineStarts(text);
            end = Math.min(a.has("end_line") ? oneBased(a, "end_line") : lines.length, lines.length);
            if (start > end) {
                throw new IllegalArgumentException("'start_line' " + start + " is past 'end_line' or the end of "
                        + display(file) + " (" + lines.length + " lines)");
            }
            result = call(c, "textDocument/inlayHint", Map.of("textDocument", Map.of("uri", LspPaths.uri(file)),
                    "range", lines(text, start - 1, end - 1)));
        }
        String where = display(file) + ":" + start + "-" + end;
        List<JsonNode> hints = new ArrayList<>();
        if (result.isArray()) {
            for (JsonNode hint : result) { // typescript-language-server also answers for the line after the range
                int line = hint.path("position").path("line").asInt(-1);
                if (line >= start - 1 && line <= end - 1) {
                    hints.add(hint);
                }
            }
        }
        if (hints.isEmpty()) {
            return "No inlay hints for " + where;
        }
        StringBuilder b = new StringBuilder().append(hints.size()).append(hints.size() == 1 ? " inlay hint" :
                " inlay hints").append(" for ").append(where).append(':');
        for (JsonNode hint : hints) {
            JsonNode label = hint.path("label");
            StringBuilder text = new StringBuilder();
            if (label.isArray()) {
                label.forEach(part -> text.append(part.path("value").asText()));
            } else {
                text.append(label.asText());
            }
            int kind = hint.path("kind").asInt(0);
            b.append('\n').append(location(LspPaths.uri(file), hint.path("position"))).append(": ")
                    .append(text.toString().strip()).append(kind == 1 ? " (type)" : kind == 2 ? " (parameter)" : "");
        }
        return b.toString();
    }

    // ---- documents and paths

    /** The file a tool names: inside the working directory (symbolic links resolved), existing, of a handled type. */
    private Path file(String name) throws IOException {
        if (name.isBlank()) {
            throw new IllegalArgumentException("'file' is empty; give a path relative to " + config.workingDirectory());
        }
        Path root = config.workingDirectory();
        Path asked = Path.of(name);
        return confine((asked.isAbsolute() ? asked : root.resolve(asked)).normalize(), name);
    }

    /**
     * The file a server's edit names by URI, confined as the tools' files are: a {@code file:} URI of this host (no
     * other authority than {@code localhost}).
     */
    private Path editedFile(String uri) throws IOException {
        java.net.URI u;
        try {
            u = new java.net.URI(uri);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("the edit names '" + uri + "', which is not a URI");
        }
        if (!"file".equalsIgnoreCase(u.getScheme()) || u.getRawPath() == null || u.getRawPath().isEmpty()) {
            throw new IllegalArgumentException("the edit names '" + uri + "', which is not a file: URI");
        }
        String host = u.getRawAuthority();
        if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
            throw new IllegalArgumentException("the edit names '" + uri + "', a file of another host (" + host + ")");
        }
        if (u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("the edit names '" + uri + "', a URI with a query or fragment");
        }
        try {
            return confine(Path.of(u.getPath()).normalize(), uri);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("the edit names '" + uri + "', which does not exist (Keel's lsp tools "
                    + "do not create files)");
        }
    }

    private Path confine(Path resolved, String name) throws IOException {
        Path root = config.workingDirectory();
        Path realRoot = root.toRealPath();
        if (!resolved.startsWith(root) && !resolved.startsWith(realRoot)) {
            throw new IllegalArgumentException("path '" + name + "' is outside the working directory " + root);
        }
        Path real = resolved.toRealPath();
        if (!real.startsWith(realRoot)) {
            throw new IllegalArgumentException("path '" + name + "' leads outside the working directory " + root
                    + " through a symbolic link");
        }
        if (!Files.isRegularFile(real)) {
            throw new IllegalArgumentException("path '" + name + "' is not a file");
        }
        if (!config.fileTypes().isEmpty()) {
            String fileName = real.getFileName().toString();
            if (config.fileTypes().stream().noneMatch(fileName::endsWith)) {
                throw new IllegalArgumentException("this language server handles " + String.join(", ",
                        config.fileTypes()) + " files, not '" + name + "'");
            }
        }
        return real;
    }

    /**
     * Syncs the file and, when it was new to the server or changed, waits for the server to settle on it (a project
     * that is still loading answers from its syntax alone: an import instead of the function it imports).
     */
    private void settled(LspConnection c, Path file) throws IOException {
        Document prior = documents.get(file);
        Document doc = sync(c, file);
        if (doc != prior) {
            try {
                c.settle(LspPaths.uri(file), doc.syncedAt(), config.requestTimeout(), FIRST_PUBLISH, QUIET);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LspException("interrupted while waiting for the language server");
            }
        }
    }

    /** Opens the file with the server, or sends its new text when it changed on disk since. Under the lock. */
    private Document sync(LspConnection c, Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException("'" + display(file) + "' is not UTF-8 text");
        }
        Document doc = documents.get(file);
        String uri = LspPaths.uri(file);
        if (doc != null && doc.text().equals(text)) {
            return doc;
        }
        long before = c.publishedCount();
        if (doc == null) {
            c.notify("textDocument/didOpen", Map.of("textDocument", Map.of("uri", uri, "languageId",
                    LspText.languageId(file), "version", 1, "text", text)));
            doc = new Document(1, text, before);
        } else {
            int version = doc.version() + 1;
            c.notify("textDocument/didChange", Map.of("textDocument", Map.of("uri", uri, "version", version),
                    "contentChanges", List.of(Map.of("text", text))));
            doc = new Document(version, text, before);
        }
        documents.put(file, doc);
        return doc;
    }

    /** A path for the model: relative to the working directory when inside it. */
    private String display(Path p) {
        Path root = config.workingDirectory();
        try {
            Path realRoot = root.toRealPath();
            if (p.startsWith(realRoot)) {
                return realRoot.relativize(p).toString();
            }
        } catch (IOException e) {
            // fall through
        }
        return p.startsWith(root) ? root.relativize(p).toString() : p.toString();
    }

    private String display(String uri) {
        Path p = LspPaths.path(uri);
        return p == null ? uri : display(p);
    }

    private String location(String uri, JsonNode position) {
        return display(uri) + ":" + (position.path("line").asInt() + 1) + ":" + (position.path("character").asInt() + 1);
    }

    /** The trimmed text of a (0-based) line of the file a URI names, when it is a readable local file. */
    private String lineText(String uri, int line) {
        Path p = LspPaths.path(uri);
        if (p == null) {
            return "";
        }
        Document open = documents.get(p);
        try {
            String text = open != null ? open.text() : Files.readString(p);
            String[] lines = text.split("\r?\n", -1);
            if (line < 0 || line >= lines.length) {
                return "";
            }
            String l = lines[line].strip();
            return l.length() > 160 ? l.substring(0, 160) + "…" : l;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static int oneBased(ToolArguments a, String name) {
        long v = a.integer(name);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + name + "' is 1-based: got " + v);
        }
        return (int) v;
    }

    // ---- the server

    private boolean offers(String provider) {
        JsonNode p = capabilities == null ? null : capabilities.get(provider);
        return p != null && !p.isNull() && !(p.isBoolean() && !p.asBoolean());
    }

    private void require(String provider, String method) {
        if (!offers(provider)) {
            throw new LspException("the language server '" + config.name() + "' does not support " + method
                    + " (it does not announce " + provider + ")");
        }
    }

    private JsonNode call(LspConnection c, String method, Object params) {
        try {
            JsonNode result = c.request(method, params, config.requestTimeout());
            restarts = 0;
            return result;
        } catch (LspException e) {
            if (!c.isAlive()) {
                drop();
            }
            throw e;
        }
    }

    /** The running server, started (or restarted, as the policy allows) now if needed. Under the lock. */
    private LspConnection connect() {
        if (closed) {
            throw new LspException("the lsp toolset '" + config.name() + "' is closed");
        }
        LspConnection c = connection;
        if (c != null && c.isAlive()) {
            return c;
        }
        if (c != null) {
            drop();
        }
        if (everStarted) {
            beforeRestart();
        }
        everStarted = true;
        if (!Files.isDirectory(config.workingDirectory())) {
            throw new LspException("the working directory of the language server '" + config.name()
                    + "' is not a directory: " + config.workingDirectory());
        }
        try {
            c = LspConnection.start(config.name(), command(), environment(), config.workingDirectory());
        } catch (IOException e) {
            throw new LspException("cannot start the language server '" + config.command() + "': " + e.getMessage());
        }
        try {
            JsonNode result = c.request("initialize", initializeParams(), config.startupTimeout());
            c.notify("initialized", Map.of());
            capabilities = result.path("capabilities");
            JsonNode info = result.path("serverInfo");
            serverInfo = info.isObject() ? (info.path("name").asText("") + " " + info.path("version").asText("")).strip()
                    : "";
        } catch (LspException e) {
            c.close();
            throw new LspException("the language server '" + config.command() + "' did not initialise: " + e.getMessage());
        }
        if (closed) { // closed while starting
            c.close();
            throw new LspException("the lsp toolset '" + config.name() + "' is closed");
        }
        connection = c;
        log.debug("started language server {} ({})", config.name(), c);
        return c;
    }

    private void beforeRestart() {
        McpRestartPolicy policy = config.restart();
        if (!policy.allows(restarts)) {
            throw new LspException("the language server '" + config.name() + "' stopped and is not restarted"
                    + (policy.mode() == McpRestartPolicy.Mode.NEVER ? " (lifecycle restart: never)"
                    : " after " + restarts + " restarts in a row (lifecycle max_restarts)"));
        }
        long wait = policy.backoff(restarts + 1).toNanos() - (System.nanoTime() - droppedAt);
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LspException("interrupted while waiting to restart the language server");
            }
        }
        restarts++;
        log.info("restarting language server '{}' (restart {} in a row)", config.name(), restarts);
    }

    /** Forgets the server (it died): its documents and capabilities go with it. Under the lock. */
    private void drop() {
        LspConnection c = connection;
        connection = null;
        documents.clear();
        capabilities = null;
        droppedAt = System.nanoTime();
        if (c != null) {
            c.close();
        }
    }

    private List<String> command() {
        List<String> cmd = new ArrayList<>();
        String program = config.command();
        if (program.contains("/") && !Path.of(program).isAbsolute()) {
            program = config.workingDirectory().resolve(program).toString();
        }
        cmd.add(program);
        cmd.addAll(config.args());
        return cmd;
    }

    private Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String k : INHERITED_ENV) {
            String v = System.getenv(k);
            if (v != null) {
                env.put(k, v);
            }
        }
        env.putAll(config.env());
        return env;
    }

    private Map<String, Object> initializeParams() {
        String root = LspPaths.uri(config.workingDirectory());
        Map<String, Object> textDocument = new LinkedHashMap<>();
        textDocument.put("synchronization", Map.of("didSave", false, "dynamicRegistration", false));
        textDocument.put("hover", Map.of("contentFormat", List.of("markdown", "plaintext")));
        textDocument.put("definition", Map.of("linkSupport", true));
        textDocument.put("references", Map.of());
        textDocument.put("implementation", Map.of("linkSupport", true));
        textDocument.put("documentSymbol", Map.of("hierarchicalDocumentSymbolSupport", true));
        textDocument.put("signatureHelp", Map.of("signatureInformation",
                Map.of("documentationFormat", List.of("markdown", "plaintext"))));
        textDocument.put("publishDiagnostics", Map.of("relatedInformation", false, "versionSupport", true));
        textDocument.put("rename", Map.of("prepareSupport", false));
        textDocument.put("formatting", Map.of());
        textDocument.put("codeAction", Map.of("codeActionLiteralSupport", Map.of("codeActionKind", Map.of("valueSet",
                List.of("quickfix", "refactor", "refactor.extract", "refactor.inline", "refactor.rewrite", "source",
                        "source.organizeImports"))), "isPreferredSupport", true));
        textDocument.put("callHierarchy", Map.of());
        textDocument.put("typeHierarchy", Map.of());
        textDocument.put("inlayHint", Map.of());
        // Edits are applied by Keel itself, text edits only: no resource operations, nothing on the server's request.
        Map<String, Object> workspaceEdit = Map.of("documentChanges", true, "resourceOperations", List.of(),
                "failureHandling", "abort");
        Map<String, Object> capabilities = Map.of(
                "textDocument", textDocument,
                "workspace", Map.of("symbol", Map.of(), "configuration", true, "workspaceFolders", true,
                        "applyEdit", false, "workspaceEdit", workspaceEdit),
                "window", Map.of("workDoneProgress", true),
                "general", Map.of("positionEncodings", List.of("utf-16")));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("processId", ProcessHandle.current().pid());
        params.put("clientInfo", Map.of("name", "keel"));
        params.put("rootUri", root);
        params.put("rootPath", config.workingDirectory().toString());
        params.put("workspaceFolders", List.of(Map.of("uri", root, "name",
                String.valueOf(config.workingDirectory().getFileName()))));
        params.put("capabilities", capabilities);
        if (!config.initializationOptions().isEmpty()) {
            params.put("initializationOptions", config.initializationOptions());
        }
        return params;
    }

    /** Shuts the server down; later calls are tool errors. Idempotent. */
    @Override
    public void close() {
        // Not under the lock: a call waiting on a stuck server must not hold up the close, which fails that call.
        closed = true;
        LspConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public String toString() {
        LspConnection c = connection;
        return "LspToolset[" + config.name() + ", " + config.command() + (c != null ? ", running" : "") + "]";
    }
}
