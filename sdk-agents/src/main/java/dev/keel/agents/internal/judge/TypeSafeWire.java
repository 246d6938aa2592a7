package dev.keel.agents.internal.judge;

import dev.keel.agents.AgentException;
import dev.keel.agents.team.Evaluator;
import dev.keel.core.json.JsonNull;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * TypeSafe's {@code /v1/systemone}: {@code {model, state, questions: {evaluation: {type, instructions, criteria}}}}
 * with type {@code noul} (boolean), {@code choice} (criteria: choice → description) or {@code score} (criteria: the
 * levels, lowest first); the answer {@code answers.evaluation} carries {@code noul}, or {@code choice} / {@code score}
 * with {@code probabilities} keyed by choice or level index, and may carry {@code confidence}. Stateless.
 */
final class TypeSafeWire implements Wire {
    static final TypeSafeWire INSTANCE = new TypeSafeWire();

    private TypeSafeWire() {}

    @Override
    public JsonObject request(Evaluator evaluator, List<String> keys, JsonValue state) {
        Map<String, Object> question = new LinkedHashMap<>();
        question.put("type", Wire.type(evaluator.kind(), "noul"));
        question.put("instructions", evaluator.instructions());
        switch (evaluator.kind()) {
            case BOOLEAN -> { }
            case CHOICE -> question.put("criteria", JsonObject.of(new TreeMap<>(evaluator.choices())));
            case SCORE -> question.put("criteria", evaluator.levels());
        }
        return JsonObject.builder().put("model", evaluator.model()).put("state", state)
                .put("questions", JsonObject.of(Map.of(QUESTION, JsonObject.of(question)))).build();
    }

    @Override
    public JsonObject answer(JsonObject response, Evaluator evaluator, List<String> keys,
                             Function<String, AgentException> fail) {
        JsonValue answers = response.get("answers").orElse(JsonNull.INSTANCE);
        if (!(answers instanceof JsonObject) && !(answers instanceof JsonNull)) {
            throw fail.apply("answered something that is not a JSON object of answers");
        }
        JsonValue a = answers instanceof JsonObject all ? all.get(QUESTION).orElse(JsonNull.INSTANCE) : JsonNull.INSTANCE;
        if (!(a instanceof JsonObject answer)) {
            throw fail.apply("answered without an answer to the question");
        }
        if (!Wire.type(evaluator.kind(), "noul").equals(answer.get("type").flatMap(JsonValue::asString).orElse(null))) {
            throw fail.apply("answered a question type that does not match the one asked");
        }
        JsonObject.Builder b = Wire.common(answer, "noul");
        JsonValue p = answer.get("probabilities").orElse(JsonNull.INSTANCE);
        if (p instanceof JsonObject probabilities) {
            b.put("probabilities", probabilities);
        } else if (!(p instanceof JsonNull)) {
            throw fail.apply("answered probabilities that are not a JSON object");
        }
        return b.build();
    }

    @Override
    public boolean modelRequired() {
        return true;
    }

    @Override
    public boolean scoreMatchesProbabilities() {
        return false;
    }
}
