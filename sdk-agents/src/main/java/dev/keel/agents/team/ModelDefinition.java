package dev.keel.agents.team;

import dev.keel.agents.ModelPrice;
import dev.keel.core.json.JsonValue;
import dev.keel.core.models.ModelConfig;
import dev.keel.core.models.ModelSpec;
import java.util.Map;
import java.util.Objects;

/**
 * One model as a team file defines it: the {@link ModelConfig} (provider, model, endpoint, key variable, API type,
 * headers, a v0/v1 {@code env}, {@code provider_opts}, capabilities, usage tracking and generation options, the
 * thinking budget included), the {@link ModelSpec} an agent using it gets (the configuration itself, or a routing /
 * first-available combination), its price ({@code cost}), and the fields only other parts of Keel read. Immutable.
 *
 * @param name   the {@code models:} key, or the inline reference
 * @param line   where it is defined
 * @param config the configuration (for a {@code first_available} entry: its first candidate's)
 * @param spec   what an agent using this model resolves
 * @param price  {@code cost}, or null
 * @param extra  fields read elsewhere, by name ({@code unload_api}, {@code task_budget}, {@code title_model},
 *               {@code compaction_model}, {@code compaction_threshold}, {@code description}, …)
 */
record ModelDefinition(String name, int line, ModelConfig config, ModelSpec spec, ModelPrice price,
                       Map<String, JsonValue> extra) {
    ModelDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(spec, "spec");
        extra = Map.copyOf(extra);
    }
}
