package dev.keel.agents.team;

import dev.keel.agents.ModelPrice;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.models.ModelConfig;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One model as a team file defines it, every field kept: what Keel's model layer takes today is in
 * {@link #config()} ({@code provider}, {@code model}, {@code base_url}, {@code token_key} and the generation
 * options); the rest is held here, typed, for the provider-level features (routing, effort levels, provider
 * options and headers, capabilities, usage tracking, a model's own environment) so that wiring them is a small
 * step. Immutable.
 *
 * @param name            the {@code models:} key, or the inline reference
 * @param line            where it is defined
 * @param config          provider, model, endpoint, key variable and generation options
 * @param providerType    the provider type of a {@code providers:} entry it uses ({@code openai}, {@code anthropic},
 *                        {@code google}, …), or null
 * @param apiType         {@code openai_chatcompletions} / {@code openai_responses} from its provider, or null
 * @param thinkingEffort  an effort level ({@code low}, {@code high}, {@code adaptive/max}, …), or null when the
 *                        budget is a token count (in {@code config}) or unset
 * @param providerOpts    provider-specific options, {@code http_headers} included (empty when none)
 * @param trackUsage      {@code track_usage}, or null
 * @param capabilities    {@code capabilities} / {@code output_capabilities} (empty when none)
 * @param routing         rule-based routing rules (empty when none)
 * @param env             the key variables the model's provider reads, as a v0/v1 file sets them (values expanded)
 * @param price           {@code cost}, or null
 * @param extra           other fields, by name ({@code task_budget}, {@code title_model}, {@code compaction_model},
 *                        {@code compaction_threshold}, {@code auth}, …)
 */
record ModelDefinition(String name, int line, ModelConfig config, String providerType, String apiType,
                       String thinkingEffort, JsonObject providerOpts, Boolean trackUsage, JsonObject capabilities,
                       List<RoutingRule> routing, Map<String, String> env, ModelPrice price,
                       Map<String, JsonValue> extra) {
    ModelDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        providerOpts = providerOpts == null ? JsonObject.of() : providerOpts;
        capabilities = capabilities == null ? JsonObject.of() : capabilities;
        routing = List.copyOf(routing);
        env = Map.copyOf(env);
        extra = Map.copyOf(extra);
    }

    /** A routing rule: requests like {@code examples} go to {@code model}. */
    record RoutingRule(String model, List<String> examples) {
        RoutingRule {
            Objects.requireNonNull(model, "model");
            examples = List.copyOf(examples);
        }
    }
}
