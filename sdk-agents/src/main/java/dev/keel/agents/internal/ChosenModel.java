package dev.keel.agents.internal;

import dev.keel.agents.tool.Toolset;
import dev.keel.agents.toolsets.ModelPickerToolset;
import dev.keel.core.json.JsonValue;
import dev.keel.core.models.ModelSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The model an agent switched to with a {@code model_picker} toolset, looking through configured and deferred ones. */
public final class ChosenModel {
    private ChosenModel() {}

    /**
     * The model {@code agent} chose in the session whose state is {@code state}, if any.
     *
     * @param toolsets the agent's toolsets
     * @param agent the agent's name
     * @param state the session's state
     * @return the chosen model, if any
     */
    public static Optional<ModelSpec> of(List<Toolset> toolsets, String agent, Map<String, JsonValue> state) {
        for (Toolset t : toolsets) {
            if (ToonToolset.innermost(t) instanceof ModelPickerToolset picker) {
                Optional<ModelSpec> chosen = picker.chosen(agent, state);
                if (chosen.isPresent()) {
                    return chosen;
                }
            }
        }
        return Optional.empty();
    }
}
