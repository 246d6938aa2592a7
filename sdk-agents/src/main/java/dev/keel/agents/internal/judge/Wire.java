package dev.keel.agents.internal.judge;

import dev.keel.agents.AgentException;
import dev.keel.agents.team.Evaluator;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import java.util.List;
import java.util.function.Function;

/**
 * One judge service's wire format: the request for one question named {@code evaluation}, and the service's answer
 * brought to one shape ({@code probability} for a boolean, {@code choice} or {@code score}, {@code probabilities}
 * keyed by outcome, {@code confidence}) so {@link JudgeClient} checks both services' answers with the same rules.
 */
sealed interface Wire permits TypeSafeWire, DecisionsWire {
    /** The question's name in request and answer; short and fixed, as docker-agent sends it. */
    String QUESTION = "evaluation";

    /**
     * The request body.
     *
     * @param evaluator the evaluator
     * @param keys      the probability keys: choice names sorted, or level indices
     * @param state     what to assess: a string, an object or an array
     * @return the body
     */
    JsonObject request(Evaluator evaluator, List<String> keys, JsonValue state);

    /**
     * The answer to the question, normalized.
     *
     * @param response  the whole response
     * @param evaluator the evaluator
     * @param keys      the probability keys
     * @param fail      makes the error for a named problem
     * @return the normalized answer
     * @throws AgentException when the response has no usable answer to the question
     */
    JsonObject answer(JsonObject response, Evaluator evaluator, List<String> keys, Function<String, AgentException> fail);

    /**
     * Whether an answer must name the model that gave it.
     *
     * @return whether an answer must name its model
     */
    boolean modelRequired();

    /**
     * Whether a score must match the expected level of its probabilities.
     *
     * @return whether a score must match its probabilities
     */
    boolean scoreMatchesProbabilities();

    /**
     * The answer's common fields in the normalized shape: {@code probabilityField} (the boolean's probability, as
     * the service names it), {@code choice}, {@code score} and {@code confidence}, each only when present.
     */
    static JsonObject.Builder common(JsonObject answer, String probabilityField) {
        JsonObject.Builder b = JsonObject.builder();
        answer.get(probabilityField).ifPresent(v -> b.put("probability", v));
        for (String field : List.of("choice", "score", "confidence")) {
            answer.get(field).ifPresent(v -> b.put(field, v));
        }
        return b;
    }

    /** The question type the service calls {@code kind}. */
    static String type(Evaluator.Kind kind, String booleanType) {
        return switch (kind) {
            case BOOLEAN -> booleanType;
            case CHOICE -> "choice";
            case SCORE -> "score";
        };
    }
}
