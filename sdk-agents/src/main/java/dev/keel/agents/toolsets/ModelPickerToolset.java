package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import dev.keel.core.models.ModelSpec;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * docker-agent's {@code model_picker} toolset: {@code change_model(model)} switches the calling agent to one of the
 * listed models for the rest of the session, {@code revert_model()} goes back to the agent's own model. The choice
 * is kept in the session's state under {@value #STATE_PREFIX}{@code <agent>}, so it is saved and restored with the
 * session, and a model call made after the switch goes to the chosen model with that model's options. Immutable;
 * thread-safe. Create with {@link Toolsets#modelPicker(Map)}.
 */
public final class ModelPickerToolset implements Toolset {
    /** Prefix of the session-state key holding an agent's chosen model name (the agent's name follows). */
    public static final String STATE_PREFIX = "keel.model.";

    private final Map<String, ModelSpec> models;

    ModelPickerToolset(Map<String, ModelSpec> models) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("a model picker needs at least one model");
        }
        Map<String, ModelSpec> copy = new LinkedHashMap<>();
        models.forEach((name, spec) -> copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(spec, name)));
        this.models = java.util.Collections.unmodifiableMap(copy);
    }

    /**
     * The models the agent may switch to, by the name the model gives.
     *
     * @return the models, in order
     */
    public Map<String, ModelSpec> models() {
        return models;
    }

    /**
     * The model {@code agent} switched to in a session whose state is {@code state}, if it switched to one of these.
     *
     * @param agent the agent's name
     * @param state the session's state
     * @return the chosen model, if any
     */
    public Optional<ModelSpec> chosen(String agent, Map<String, JsonValue> state) {
        return state.get(STATE_PREFIX + agent) instanceof JsonString s ? Optional.ofNullable(models.get(s.value()))
                : Optional.empty();
    }

    @Override
    public String name() {
        return "model_picker";
    }

    @Override
    public String instructions() {
        return "Available models: " + String.join(", ", models.keySet()) + ". Use change_model to switch to a model "
                + "better suited to the task at hand (a faster one for simple work, a stronger one for hard "
                + "reasoning), and revert_model to go back to your own model when done.";
    }

    @Override
    public List<Tool> tools() {
        String[] names = models.keySet().toArray(String[]::new);
        return List.of(
                Tool.of(ToolSpec.of("change_model", "Switch to one of the available models (" + String.join(", ", names)
                                + ") for the rest of this session.",
                        JsonSchema.object().required("model", JsonSchema.enumOf(names)
                                .describedAs("The model to switch to; one of the available models")).build()),
                        true, (args, ctx) -> {
                            String model = args.string("model");
                            if (!models.containsKey(model)) {
                                return ToolResult.error("'" + model + "' is not one of the available models: "
                                        + String.join(", ", names));
                            }
                            ctx.state().put(STATE_PREFIX + ctx.agent(), JsonValue.of(model));
                            return ToolResult.ok("Switched to " + model + "; your next turns use it.");
                        }),
                Tool.of(ToolSpec.of("revert_model", "Go back to your own model.", JsonSchema.object().build()), true,
                        (args, ctx) -> ctx.state().remove(STATE_PREFIX + ctx.agent()) == null
                                ? ToolResult.ok("Already on your own model.")
                                : ToolResult.ok("Back on your own model.")));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelPickerToolset other && models.equals(other.models);
    }

    @Override
    public int hashCode() {
        return models.hashCode();
    }

    @Override
    public String toString() {
        return "ModelPickerToolset" + models.keySet();
    }
}
