package dev.keel.agents.team;

import dev.keel.agents.hooks.HookInput;
import dev.keel.agents.hooks.HookResult;
import dev.keel.agents.internal.ModelHook;
import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.ResponseFormat;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.Message;
import dev.keel.core.models.ModelConfig;
import dev.keel.core.tool.JsonSchema;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A team file's {@code type: model} hook: the prompt template is filled from the hook input and sent to a
 * model; the reply is context ({@code additional_context}), or, with {@code schema: pre_tool_use_decision}, a
 * {@code {decision, reason}} verdict on the tool call (allow / ask / deny). An unreadable verdict is a failed
 * hook, so on {@code pre_tool_use} the call is refused (fail closed). Templates use docker-agent's Go template
 * form for fields of the input: {@code {{ .ToolName }}}, {@code {{ .ToolInput | toJSON }}},
 * {@code {{ .StopResponse | truncate 500 }}}. Immutable and thread-safe.
 */
final class TemplateModelHook implements ModelHook {
    static final String DECISION_SCHEMA = "pre_tool_use_decision";
    private static final Pattern FIELD = Pattern.compile(
            "\\{\\{-?\\s*\\.([A-Za-z][A-Za-z0-9]*)\\s*((?:\\|\\s*(?:toJSON|truncate\\s+\\d+)\\s*)*)-?}}");
    private static final JsonSchema VERDICT = JsonSchema.object()
            .required("decision", JsonSchema.enumOf("allow", "ask", "deny"))
            .required("reason", JsonSchema.string()).build();

    private final ModelConfig model;
    private final String prompt;
    private final String schema;

    TemplateModelHook(ModelConfig model, String prompt, String schema) {
        this.model = Objects.requireNonNull(model, "model");
        this.prompt = Objects.requireNonNull(prompt, "prompt");
        this.schema = schema;
    }

    @Override
    public ModelConfig model() {
        return model;
    }

    @Override
    public HookResult handle(HookInput input, ChatModel chat) {
        String text = render(prompt, input);
        if (DECISION_SCHEMA.equals(schema)) {
            ChatRequest request = ChatRequest.of(Message.system("Answer with a JSON object {\"decision\": \"allow\" | "
                    + "\"ask\" | \"deny\", \"reason\": \"...\"} and nothing else."), Message.user(text))
                    .withOptions(ChatOptions.builder().responseFormat(ResponseFormat.jsonSchema("decision", VERDICT)).build());
            ChatResponse response = chat.chat(request);
            JsonObject verdict = verdict(response.text());
            String decision = verdict.get("decision").flatMap(JsonValue::asString).orElse("").toLowerCase(Locale.ROOT);
            String reason = verdict.get("reason").flatMap(JsonValue::asString).orElse("decided by a model hook");
            return switch (decision) {
                case "allow" -> HookResult.allow(reason);
                case "ask" -> HookResult.ask(reason);
                case "deny" -> HookResult.deny(reason);
                default -> throw new IllegalStateException("the judge model's decision '" + decision
                        + "' is not allow, ask or deny");
            };
        }
        return HookResult.context(chat.chat(ChatRequest.of(Message.user(text))).text());
    }

    /** The first JSON object in the reply (models sometimes wrap it in prose or a code fence). */
    static JsonObject verdict(String reply) {
        JsonObject o = verdictOrNull(reply);
        if (o == null) {
            throw new IllegalStateException("the judge model did not answer with a JSON verdict");
        }
        return o;
    }

    /** Like {@link #verdict(String)}, null when the reply holds no JSON object. */
    static JsonObject verdictOrNull(String reply) {
        int start = reply.indexOf('{');
        int end = reply.lastIndexOf('}');
        if (start >= 0 && end > start) {
            try {
                if (JsonValue.parse(reply.substring(start, end + 1)) instanceof JsonObject o) {
                    return o;
                }
            } catch (JsonParseException e) {
                // no verdict
            }
        }
        return null;
    }

    /** Fills {@code {{ .Field }}} from the input's fields ({@code .ToolName} is {@code tool_name}). */
    static String render(String template, HookInput input) {
        JsonObject data = input.toJson();
        Matcher m = FIELD.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            JsonValue v = data.get(snake(m.group(1))).orElse(null);
            String pipes = m.group(2) == null ? "" : m.group(2);
            String text = v == null ? "" : pipes.contains("toJSON") || !(v instanceof dev.keel.core.json.JsonString)
                    ? v.toJson() : v.asString().orElse("");
            Matcher t = Pattern.compile("truncate\\s+(\\d+)").matcher(pipes);
            if (t.find()) {
                int n = Integer.parseInt(t.group(1));
                text = text.length() > n ? text.substring(0, n) : text;
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(text));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** {@code ToolName} → {@code tool_name}, {@code SessionID} → {@code session_id}. */
    static String snake(String camel) {
        return camel.replace("ID", "Id").replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "ModelHook[" + model.reference() + (schema == null ? "" : ", " + schema) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TemplateModelHook h && model.equals(h.model) && prompt.equals(h.prompt)
                && Objects.equals(schema, h.schema);
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, prompt, schema);
    }

    static List<String> schemas() {
        return List.of(DECISION_SCHEMA);
    }
}
