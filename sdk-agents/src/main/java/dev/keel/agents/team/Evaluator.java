package dev.keel.agents.team;

import dev.keel.agents.ModelPrice;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a team file's top-level {@code evaluators} (docker-agent's reusable assessments: a model asked to
 * judge something with fixed instructions and a typed answer), read and checked as docker-agent checks them and
 * exposed on {@link Team#evaluators()} for evaluation code (such as sdk-testing's) to run. Keel's agent loop does not
 * run evaluators: hooks of {@code type: evaluator} and tool guards load with a warning.
 *
 * @param name         the key under {@code evaluators}
 * @param provider     {@code openai}, {@code typesafe} or a provider of the file; empty when {@code model} names a
 *                     model of the file or is {@code provider/model}
 * @param model        the model: with a provider its ID, otherwise a model name of the file or {@code provider/model}
 * @param kind         what the evaluator answers
 * @param instructions what it is asked to judge
 * @param choices      a {@link Kind#CHOICE} evaluator's choices and what each means, in file order
 * @param levels       a {@link Kind#SCORE} evaluator's levels, lowest first
 * @param baseUrl      the provider's base URL, or empty
 * @param endpoint     a full endpoint URL, or empty
 * @param tokenKey     the variable holding the key, or empty
 * @param timeout      the time limit of one assessment, or null for none
 * @param price        {@code cost}, or null
 */
public record Evaluator(String name, String provider, String model, Kind kind, String instructions,
                        Map<String, String> choices, List<String> levels, String baseUrl, String endpoint,
                        String tokenKey, Duration timeout, ModelPrice price) {
    /** What an evaluator answers. */
    public enum Kind {
        /** true or false. */
        BOOLEAN,
        /** One of 2–255 named choices. */
        CHOICE,
        /** One of 2–10 ordered levels. */
        SCORE
    }

    /**
     * Checks the components.
     *
     * @param name         the key under {@code evaluators}
     * @param provider     the provider, or empty
     * @param model        the model
     * @param kind         what the evaluator answers
     * @param instructions what it is asked to judge
     * @param choices      the choices of a choice evaluator
     * @param levels       the levels of a score evaluator
     * @param baseUrl      the base URL, or empty
     * @param endpoint     the endpoint, or empty
     * @param tokenKey     the key variable, or empty
     * @param timeout      the time limit, or null
     * @param price        the price, or null
     */
    public Evaluator {
        Objects.requireNonNull(name, "name");
        provider = Objects.requireNonNullElse(provider, "");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(instructions, "instructions");
        choices = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(choices));
        levels = List.copyOf(levels);
        baseUrl = Objects.requireNonNullElse(baseUrl, "");
        endpoint = Objects.requireNonNullElse(endpoint, "");
        tokenKey = Objects.requireNonNullElse(tokenKey, "");
    }

    /**
     * The time limit of one assessment.
     *
     * @return the limit, or empty for none
     */
    public Optional<Duration> timeLimit() {
        return Optional.ofNullable(timeout);
    }
}
