package dev.keel.agents.team;

import dev.keel.agents.Compaction;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.core.json.JsonValue;

/**
 * An agent's compaction settings from its {@code session_compaction}, {@code compaction_threshold} and
 * {@code compaction_model}, and its model's (or the model's provider's) {@code compaction_threshold} and
 * {@code compaction_model}, with docker-agent's precedence: the model's threshold wins over the agent's; the agent's
 * compaction model wins over the model's, which wins over the provider's. The context window comes from the model's
 * {@code provider_opts.context_size} when the run needs it. One per load; not thread-safe.
 */
final class CompactionSection {
    private final TeamFields f;
    private final ModelSection models;

    CompactionSection(TeamFields f, ModelSection models) {
        this.f = f;
        this.models = models;
    }

    /** The settings of the agent at {@code path} whose model is {@code model}. */
    Compaction read(MapNode agent, String path, ModelDefinition model) {
        Compaction.Builder b = Compaction.builder();
        b.enabled(f.optBool(agent, "session_compaction", path).orElse(true));
        Entry threshold = agent.entries().get("compaction_threshold");
        if (threshold != null) {
            b.threshold(threshold(f.optDouble(agent, "compaction_threshold", path), threshold.line(),
                    path + ".compaction_threshold"));
        }
        String modelPath = model == null ? null : "models." + model.name();
        JsonValue modelThreshold = model == null ? null : model.extra().get("compaction_threshold");
        if (modelThreshold != null) {
            double v = modelThreshold.asDouble().orElseThrow(() -> f.error(model.line(),
                    modelPath + ".compaction_threshold", "expected a number"));
            b.threshold(threshold(v, model.line(), modelPath + ".compaction_threshold"));
        }
        Entry compactionModel = agent.entries().get("compaction_model");
        if (compactionModel != null) {
            String field = path + ".compaction_model";
            b.model(models.definition(f.scalarText(compactionModel.value(), field), compactionModel.line(), field, false)
                    .spec());
        } else if (model != null && model.extra().get("compaction_model") != null) {
            String field = modelPath + ".compaction_model";
            String ref = model.extra().get("compaction_model").asString()
                    .orElseThrow(() -> f.error(model.line(), field, "expected a model name or provider/model"));
            b.model(models.definition(ref, model.line(), field, false).spec());
        }
        return b.build();
    }

    private double threshold(Double v, int line, String field) {
        if (v == null || !(v > 0 && v <= 1)) {
            throw f.error(line, field, "must be more than 0 and at most 1 (a fraction of the context window), was " + v);
        }
        return v;
    }
}
