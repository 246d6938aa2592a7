package dev.keel.agents.internal.judge;

import dev.keel.agents.AgentException;
import dev.keel.agents.team.Evaluator;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonNull;
import dev.keel.core.json.JsonNumber;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * OpenAI's Decisions API ({@code POST /decisions}): {@code {model, input, questions: [{type, name, instructions,
 * choices | levels}]}} with type {@code predicate} (boolean), {@code choice} (choices {@code {value, description}},
 * sorted by value) or {@code score} (levels {@code {label: "0".., description}}); the input is a string as it is, an
 * object or array as its JSON text. The answer is the one entry of {@code answers} named {@code evaluation} (a
 * refusal may be unnamed), with {@code probability}, or {@code choice} / {@code score} with {@code probabilities} as
 * a list of {@code {value, probability}}. Stateless.
 */
final class DecisionsWire implements Wire {
    static final DecisionsWire INSTANCE = new DecisionsWire();

    private DecisionsWire() {}

    @Override
    public JsonObject request(Evaluator evaluator, List<String> keys, JsonValue state) {
        Map<String, Object> question = new LinkedHashMap<>();
        question.put("type", Wire.type(evaluator.kind(), "predicate"));
        question.put("name", QUESTION);
        question.put("instructions", evaluator.instructions());
        if (evaluator.kind() == Evaluator.Kind.CHOICE) {
            List<JsonObject> choices = new ArrayList<>();
            for (String key : keys) {
                String description = evaluator.choices().get(key);
                choices.add(description.isEmpty() ? JsonObject.of(Map.of("value", key))
                        : JsonObject.builder().put("value", key).put("description", description).build());
            }
            question.put("choices", choices);
        } else if (evaluator.kind() == Evaluator.Kind.SCORE) {
            List<JsonObject> levels = new ArrayList<>();
            for (int i = 0; i < evaluator.levels().size(); i++) {
                levels.add(JsonObject.builder().put("label", keys.get(i))
                        .put("description", evaluator.levels().get(i)).build());
            }
            question.put("levels", levels);
        }
        String input = state instanceof JsonString s ? s.value() : state.toJson();
        return JsonObject.builder().put("model", evaluator.model()).put("input", input)
                .put("questions", List.of(JsonObject.of(question))).build();
    }

    @Override
    public JsonObject answer(JsonObject response, Evaluator evaluator, List<String> keys,
                             Function<String, AgentException> fail) {
        JsonValue answers = response.get("answers").orElse(JsonNull.INSTANCE);
        if (!(answers instanceof JsonArray) && !(answers instanceof JsonNull)) {
            throw fail.apply("answered something that is not a JSON list of answers");
        }
        List<JsonObject> matches = new ArrayList<>();
        if (answers instanceof JsonArray list) {
            for (JsonValue item : list.items()) {
                if (!(item instanceof JsonObject o)) {
                    throw fail.apply("answered an answer that is not a JSON object");
                }
                String name = o.get("name").flatMap(JsonValue::asString).orElse(null);
                boolean refusal = "refusal".equals(o.get("type").flatMap(JsonValue::asString).orElse(null));
                if (QUESTION.equals(name) || (refusal && name == null)) {
                    matches.add(o);
                }
            }
        }
        if (matches.isEmpty()) {
            throw fail.apply("answered without an answer to the question");
        }
        if (matches.size() > 1) {
            throw fail.apply("answered the question more than once");
        }
        JsonObject answer = matches.get(0);
        String type = answer.get("type").flatMap(JsonValue::asString).orElse(null);
        if ("refusal".equals(type)) {
            throw fail.apply("refused to assess");
        }
        if (!Wire.type(evaluator.kind(), "predicate").equals(type)) {
            throw fail.apply("answered a question type that does not match the one asked");
        }
        JsonObject.Builder b = Wire.common(answer, "probability");
        JsonValue p = answer.get("probabilities").orElse(JsonNull.INSTANCE);
        if (p instanceof JsonArray options) {
            Map<String, Object> byKey = new LinkedHashMap<>();
            for (JsonValue option : options.items()) {
                if (!(option instanceof JsonObject o)) {
                    throw fail.apply("answered probabilities that do not match the question's outcomes");
                }
                String key = key(o.get("value").orElse(JsonNull.INSTANCE), evaluator, keys, fail);
                if (byKey.containsKey(key)) {
                    throw fail.apply("answered the probability of one outcome twice");
                }
                byKey.put(key, o.get("probability").orElse(JsonNull.INSTANCE));
            }
            b.put("probabilities", JsonObject.of(byKey));
        } else if (!(p instanceof JsonNull)) {
            throw fail.apply("answered probabilities that are not a JSON list");
        }
        return b.build();
    }

    /** A choice's value, or a score level's integer index, as its configured key. */
    private static String key(JsonValue value, Evaluator evaluator, List<String> keys,
                              Function<String, AgentException> fail) {
        if (evaluator.kind() == Evaluator.Kind.CHOICE && value instanceof JsonString s) {
            return s.value();
        }
        if (evaluator.kind() == Evaluator.Kind.SCORE && value instanceof JsonNumber n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && d >= 0 && d < keys.size()) {
                return Integer.toString((int) d);
            }
        }
        throw fail.apply("answered probabilities that do not match the question's outcomes");
    }

    @Override
    public boolean modelRequired() {
        return false;
    }

    @Override
    public boolean scoreMatchesProbabilities() {
        return true;
    }
}
