package dev.keel.agents;

import dev.keel.agents.internal.JsonSchemaCheck;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.ResponseFormat;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonValue;
import dev.keel.core.models.ApiType;
import dev.keel.core.models.ModelConfig;
import dev.keel.core.tool.ToolSpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How an agent's {@link StructuredOutput} is asked for and checked: natively (the provider's JSON-schema response
 * format) when the agent's model speaks an API that has one — OpenAI Chat Completions and Responses, Gemini — and
 * otherwise through the {@value #TOOL} tool, whose arguments are the answer. Stateless.
 */
final class StructuredOutputs {
    /** The tool a model calls with its structured answer in tool mode. */
    static final String TOOL = "final_answer";

    private StructuredOutputs() {}

    /** Whether {@code agent}'s structured output is asked for natively. */
    static boolean nativeMode(Agent agent, StructuredOutput so) {
        if (so.mode() == StructuredOutput.Mode.TOOL) {
            return false;
        }
        if (agent.model() instanceof AgentModel.Configured c && c.spec() instanceof ModelConfig config) {
            ApiType api = config.apiType();
            if (api != null) {
                return api != ApiType.ANTHROPIC;
            }
            return !config.provider().equals("anthropic");
        }
        if (agent.model() instanceof AgentModel.Instance i) {
            return !i.model().id().startsWith("anthropic/");
        }
        return false; // a combination may mix APIs: the tool works with every one of them
    }

    static ResponseFormat format(StructuredOutput so) {
        return new ResponseFormat.JsonSchemaFormat(so.name(), so.schema(), so.strict());
    }

    /** The {@value #TOOL} tool: valid arguments are kept in {@code answer}; invalid ones are an error to correct. */
    static Tool tool(StructuredOutput so, AtomicReference<JsonValue> answer) {
        String description = "Give your final answer by calling this tool with it; its arguments are the answer"
                + (so.description().isBlank() ? "" : ": " + so.description());
        return Tool.of(new ToolSpec(TOOL, description, so.schema()), true, (args, ctx) -> {
            List<String> problems = problems(so, args.value());
            if (!problems.isEmpty()) {
                return ToolResult.error("The answer does not match the required schema: " + String.join("; ", problems)
                        + ". Call " + TOOL + " again with a corrected answer.");
            }
            answer.set(args.value());
            return ToolResult.ok("Answer recorded.");
        });
    }

    /** The answer's text parsed as JSON, or null when it is not JSON. */
    static JsonValue parse(String text) {
        String t = text.strip();
        if (t.startsWith("```")) {
            int nl = t.indexOf('\n');
            int end = t.lastIndexOf("```");
            if (nl > 0 && end > nl) {
                t = t.substring(nl + 1, end).strip();
            }
        }
        try {
            return JsonValue.parse(t);
        } catch (JsonParseException e) {
            return null;
        }
    }

    static List<String> problems(StructuredOutput so, JsonValue value) {
        if (value == null) {
            return List.of("the answer is not JSON");
        }
        return JsonSchemaCheck.problems(so.schema().toJson(), value);
    }

    /** What the model is told after an answer that does not conform. */
    static String correction(StructuredOutput so, List<String> problems, boolean nativeMode) {
        return "Your answer does not match the required JSON schema '" + so.name() + "': " + String.join("; ", problems)
                + (nativeMode ? ". Answer again with only a JSON object that matches the schema."
                : ". Call the " + TOOL + " tool with a JSON object that matches the schema.");
    }

    static JsonObject object(JsonValue v) {
        return v instanceof JsonObject o ? o : JsonObject.of();
    }
}
