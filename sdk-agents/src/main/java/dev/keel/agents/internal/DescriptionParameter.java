package dev.keel.agents.internal;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.core.json.JsonObject;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;

/**
 * docker-agent's {@code add_description_parameter}: a tool gets an optional {@code description} argument in
 * which the model says why it calls it; the argument is removed before the tool runs (events and hooks still
 * see it in the call). A tool whose own schema already has a {@code description} property is left alone. Not API.
 */
public final class DescriptionParameter {
    private static final String NAME = "description";
    private static final JsonObject PROPERTY = JsonObject.of(java.util.Map.of("type", "string", "description",
            "Why you are calling this tool, in a few words"));

    private DescriptionParameter() {}

    /** The tool with the extra argument. */
    public static Tool add(Tool tool) {
        JsonObject schema = tool.spec().parameters().toJson();
        JsonObject properties = schema.get("properties").filter(JsonObject.class::isInstance)
                .map(JsonObject.class::cast).orElse(JsonObject.of());
        if (properties.has(NAME)) {
            return tool;
        }
        ToolSpec spec = new ToolSpec(tool.spec().name(), tool.spec().description(),
                JsonSchema.of(schema.with("properties", properties.with(NAME, PROPERTY))));
        return Tool.of(spec, tool.readOnly(), (args, ctx) -> tool.call(
                args.has(NAME) ? ToolArguments.of(args.value().without(NAME)) : args, ctx));
    }
}
