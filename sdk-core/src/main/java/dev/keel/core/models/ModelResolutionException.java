package dev.keel.core.models;

import dev.keel.core.KeelException;
import java.util.List;

/**
 * A model reference could not be turned into a model. The subclass says why. Messages name the
 * reference, provider and environment variable involved, never a key.
 */
public abstract sealed class ModelResolutionException extends KeelException
        permits ModelResolutionException.InvalidReference, ModelResolutionException.UnknownProvider,
                ModelResolutionException.MissingApiKey, ModelResolutionException.Unsupported,
                ModelResolutionException.NoneAvailable {
    private static final long serialVersionUID = 1L;

    ModelResolutionException(String message) {
        super(message);
    }

    /** The reference is not of the form {@code provider/model}. */
    public static final class InvalidReference extends ModelResolutionException {
        private static final long serialVersionUID = 1L;

        /** The reference that could not be parsed. */
        private final String reference;

        /**
         * Creates the exception.
         *
         * @param reference the reference
         * @param problem what is wrong with it
         */
        public InvalidReference(String reference, String problem) {
            super("invalid model reference '" + reference + "': " + problem
                    + " (expected provider/model, e.g. openai/gpt-5 or dmr/ai/qwen2.5)");
            this.reference = reference;
        }

        /**
         * The reference as given.
         *
         * @return the reference as given
         */
        public String reference() {
            return reference;
        }
    }

    /** No provider of that name is registered. */
    public static final class UnknownProvider extends ModelResolutionException {
        private static final long serialVersionUID = 1L;

        /** The unknown provider name. */
        private final String provider;

        /** The registered provider names, sorted. */
        private final List<String> knownProviders;

        /**
         * Creates the exception.
         *
         * @param provider the unknown name
         * @param knownProviders the registered names
         */
        public UnknownProvider(String provider, List<String> knownProviders) {
            super("unknown model provider '" + provider + "'; known providers: " + String.join(", ", knownProviders));
            this.provider = provider;
            this.knownProviders = List.copyOf(knownProviders);
        }

        /**
         * The unknown provider name.
         *
         * @return the name
         */
        public String provider() {
            return provider;
        }

        /**
         * The registered provider names, sorted.
         *
         * @return the registered provider names
         */
        public List<String> knownProviders() {
            return knownProviders;
        }
    }

    /** The provider needs a key and the environment variable that should hold it is unset or empty. */
    public static final class MissingApiKey extends ModelResolutionException {
        private static final long serialVersionUID = 1L;

        /** The provider whose key is missing. */
        private final String provider;

        /** The environment variable that should hold the key. */
        private final String variable;

        /**
         * Creates the exception.
         *
         * @param provider the provider whose key is missing
         * @param variable the environment variable that should hold it
         */
        public MissingApiKey(String provider, String variable) {
            super("provider '" + provider + "' needs an API key: set the environment variable " + variable);
            this.provider = provider;
            this.variable = variable;
        }

        /**
         * The provider whose key is missing.
         *
         * @return the provider name
         */
        public String provider() {
            return provider;
        }

        /**
         * Name of the environment variable that should hold the key.
         *
         * @return the variable's name
         */
        public String variable() {
            return variable;
        }
    }

    /** The provider's API cannot serve this kind of model (for example embeddings from Anthropic). */
    public static final class Unsupported extends ModelResolutionException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param message what is not supported
         */
        public Unsupported(String message) {
            super(message);
        }
    }

    /** No candidate of a first-available choice ({@code first_available}, {@code auto}) has its credentials set. */
    public static final class NoneAvailable extends ModelResolutionException {
        private static final long serialVersionUID = 1L;
        /** The candidates' labels, in priority order. */
        private final List<String> candidates;

        /**
         * Creates the exception.
         *
         * @param candidates the candidates' labels, in priority order
         */
        public NoneAvailable(List<String> candidates) {
            super("no model is available among " + candidates
                    + ": set the key variable of one of them (or run a local model, e.g. Docker Model Runner)");
            this.candidates = List.copyOf(candidates);
        }

        /**
         * The candidates' labels.
         *
         * @return the labels, in priority order
         */
        public List<String> candidates() {
            return candidates;
        }
    }
}
