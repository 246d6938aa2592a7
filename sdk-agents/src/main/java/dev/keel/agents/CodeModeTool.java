package dev.keel.agents;

import dev.keel.agents.internal.codemode.ScriptRunner;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An agent's code mode: the one tool {@value CodeMode#TOOL} that stands for the agent's toolset tools. Its program
 * runs in {@link ScriptRunner}; each tool call the program makes is handed to {@link ToolCalls}, which runs it as a
 * call of the model (approval, hooks, events, journal). Immutable.
 */
final class CodeModeTool implements Tool {
    private static final String PROMPT = """
            Runs a JavaScript program that calls the tools listed below, and returns what the program returns and what \
            it printed. Use it to make several tool calls in one step, with conditions and loops between them, and to \
            combine or filter their results before they come back.
            - Each tool is a synchronous function taking one object of named arguments: result = read_file({path: "a.txt"}).
            - A result that is JSON comes back parsed (an object or array), any other result as a string.
            - A failed tool call throws an Error (catch it to go on).
            - End the program with `return <value>`; a value that is not a string comes back as JSON.
            - console.log/info/debug/warn/error print debug output, returned with the result.
            - No await/async, no modules, no network, files or processes except through the tools.
            Functions:
            """;

    private final Map<String, Tool> tools;
    private final Map<String, String> functions;
    private final CodeMode limits;
    private final ToolSpec spec;

    private CodeModeTool(Map<String, Tool> tools, CodeMode limits) {
        this.tools = Map.copyOf(tools);
        this.limits = limits;
        Map<String, String> fns = new LinkedHashMap<>();
        StringBuilder doc = new StringBuilder(PROMPT);
        for (Tool t : tools.values()) {
            String name = t.spec().name();
            String pascal = pascal(name);
            if (identifier(name)) {
                fns.putIfAbsent(name, name);
            }
            if (identifier(pascal)) {
                fns.putIfAbsent(pascal, name);
            }
            String jsName = identifier(name) ? name : pascal;
            doc.append("\nfunction ").append(jsName).append("(args: ").append(t.spec().parameters().toJson().toJson())
                    .append(")").append(jsName.equals(pascal) || !identifier(pascal) ? "" : " // also " + pascal)
                    .append("\n  ").append(t.spec().description().strip().replace("\n", "\n  "));
        }
        this.functions = Map.copyOf(fns);
        this.spec = ToolSpec.of(CodeMode.TOOL, doc.toString(), JsonSchema.object()
                .required("script", JsonSchema.string("The JavaScript program to run")).build());
    }

    /**
     * The tools a code-mode agent is given: {@value CodeMode#TOOL} in place of {@code toolsetTools}; with no
     * toolset tools, none.
     */
    static Map<String, Tool> wrap(Map<String, Tool> toolsetTools, CodeMode limits) {
        Map<String, Tool> out = new LinkedHashMap<>();
        if (!toolsetTools.isEmpty()) {
            out.put(CodeMode.TOOL, new CodeModeTool(toolsetTools, limits));
        }
        return out;
    }

    /** The tools the program may call, by tool name. */
    Map<String, Tool> tools() {
        return tools;
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    /** The program itself changes nothing: each tool call it makes is approved on its own. */
    @Override
    public boolean readOnly() {
        return true;
    }

    @Override
    public ToolResult call(ToolArguments arguments, ToolContext context) {
        return ToolResult.error("the " + CodeMode.TOOL + " tool runs only inside an agent's run");
    }

    /** Runs the program, each of its tool calls through {@code bridge}. */
    ToolResult run(ToolArguments arguments, ScriptRunner.ToolBridge bridge) {
        String script = arguments.value().get("script").flatMap(JsonValue::asString).orElse(null);
        if (script == null || script.isBlank()) {
            return ToolResult.error("missing argument 'script': the JavaScript program to run");
        }
        ScriptRunner.Outcome o;
        try {
            o = ScriptRunner.run(script, functions, limits, bridge);
        } catch (IllegalStateException e) {
            return ToolResult.error(e.getMessage());
        }
        if (o.failure() != null) {
            StringBuilder why = new StringBuilder("the program failed: ").append(o.failure());
            if (!o.calls().isEmpty()) {
                why.append("\ntool calls it made: ").append(String.join("; ", o.calls()));
            }
            if (!o.stdout().isEmpty()) {
                why.append("\nstdout:\n").append(o.stdout());
            }
            if (!o.stderr().isEmpty()) {
                why.append("\nstderr:\n").append(o.stderr());
            }
            return ToolResult.error(why.toString());
        }
        return ToolResult.ok(JsonObject.builder().put("value", o.value()).put("stdout", o.stdout())
                .put("stderr", o.stderr()).build().toJson());
    }

    private static String pascal(String name) {
        StringBuilder b = new StringBuilder();
        for (String part : name.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) {
                b.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
            }
        }
        return b.toString();
    }

    private static boolean identifier(String s) {
        return s.matches("[A-Za-z_$][A-Za-z0-9_$]*");
    }

    @Override
    public String toString() {
        return "CodeModeTool" + functions.keySet();
    }
}
