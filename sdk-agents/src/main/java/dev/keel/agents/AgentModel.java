package dev.keel.agents;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import dev.keel.core.models.ModelConfig;
import dev.keel.core.models.ModelSpec;
import java.util.Objects;

/**
 * The model an agent talks to: either a {@link ChatModel} instance the caller made, or a {@link ModelSpec} — one
 * {@link ModelConfig}, or a combination such as a fallback chain or rule-based routing — that the runner resolves
 * (through its {@link dev.keel.core.models.ModelResolver}) when the agent first needs it. Either way it is one
 * value, so an agent can never have half of each. The hierarchy is closed.
 */
public sealed interface AgentModel permits AgentModel.Instance, AgentModel.Configured {

    /**
     * A short label for logs, events and prices: {@code provider/model}, or the instance's {@code id()}.
     *
     * @return a short label for logs, events and prices: {@code provider/model}, or the instance's {@code id()}
     */
    String label();

    /**
     * Generation options sent with every request of this agent.
     *
     * @return generation options sent with every request of this agent
     */
    ChatOptions options();

    /**
     * A model the caller made and owns (the runner never closes it).
     *
     * @param model the model
     * @return a model the caller made and owns (the runner never closes it)
     */
    static AgentModel of(ChatModel model) {
        return new Instance(model, ChatOptions.defaults());
    }

    /**
     * A model resolved by the runner from {@code config}; the runner closes it when closed.
     *
     * @param config the config
     * @return a model resolved by the runner from {@code config}; the runner closes it when closed
     */
    static AgentModel of(ModelConfig config) {
        return new Configured(config);
    }

    /**
     * A model combination (fallback, routing, alternates, first available) resolved by the runner.
     *
     * @param spec the spec
     * @return a model the runner resolves from {@code spec} and closes when closed
     */
    static AgentModel of(ModelSpec spec) {
        return new Configured(spec);
    }

    /**
     * {@code provider/model}, resolved by the runner.
     *
     * @param reference the reference
     * @return {@code provider/model}, resolved by the runner
     */
    static AgentModel parse(String reference) {
        return new Configured(ModelConfig.parse(reference));
    }

    /**
     * A model instance.
     *
     * @param model   the model
     * @param options generation options sent with each request
     */
    record Instance(ChatModel model, ChatOptions options) implements AgentModel {
        /**
         * Requires a model; {@code null} options are the defaults.
         *
         * @param model the model
         * @param options generation options sent with each request
         */
        public Instance {
            Objects.requireNonNull(model, "model");
            options = options == null ? ChatOptions.defaults() : options;
        }

        /**
         * A copy sending {@code options} with each request.
         *
         * @param options the options
         * @return a copy sending {@code options} with each request
         */
        public Instance withOptions(ChatOptions options) {
            return new Instance(model, options);
        }

        @Override
        public String label() {
            return model.id();
        }

        /** Equal when the same instance (models have no value equality) with equal options. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Instance other && model == other.model && options.equals(other.options);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(model) * 31 + options.hashCode();
        }
    }

    /**
     * A model configuration, or a combination of them, to resolve.
     *
     * @param spec what to resolve; a configuration's options are sent with each request, a combination's members
     *             apply their own
     */
    record Configured(ModelSpec spec) implements AgentModel {
        /**
         * Requires a spec.
         *
         * @param spec what to resolve
         */
        public Configured {
            Objects.requireNonNull(spec, "spec");
        }

        /**
         * The configuration, when the spec is a single one.
         *
         * @return the configuration
         * @throws IllegalStateException when the spec combines several models
         */
        public ModelConfig config() {
            if (spec instanceof ModelConfig c) {
                return c;
            }
            throw new IllegalStateException("the model " + spec.label() + " combines several configurations");
        }

        @Override
        public String label() {
            return spec instanceof ModelConfig c ? c.reference() : spec.label();
        }

        @Override
        public ChatOptions options() {
            return spec.requestOptions();
        }
    }
}
