package dev.keel.testing.eval;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ResponseFormat;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.Message;
import dev.keel.core.tool.JsonSchema;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An LLM judge for relevance criteria: given a run's transcript and one statement ("the answer names both
 * files"), any {@link ChatModel} answers {@code {"result": "pass" | "fail", "reason": "…"}} (asked for as
 * structured output). An answer of another shape is an error naming what came back, never a silent fail.
 * Thread-safe when the model is.
 */
public final class Judge {
    private static final JsonSchema VERDICT = JsonSchema.object()
            .required("result", JsonSchema.parse("{\"type\":\"string\",\"enum\":[\"pass\",\"fail\"]}"))
            .required("reason", JsonSchema.string("Brief explanation of why the criterion passed or failed"))
            .build();
    private static final String SYSTEM = """
            You are an evaluation judge. You get the transcript of an AI agent's run and one criterion. Decide \
            whether the run satisfies the criterion, judging only from the transcript. Answer with a JSON object \
            {"result": "pass" or "fail", "reason": "<one sentence>"} and nothing else.""";

    private final ChatModel model;

    private Judge(ChatModel model) {
        this.model = model;
    }

    /**
     * A judge asking {@code model} (the caller keeps owning it).
     *
     * @param model the judging model
     * @return the judge
     */
    public static Judge of(ChatModel model) {
        return new Judge(Objects.requireNonNull(model, "model"));
    }

    /**
     * One criterion judged.
     *
     * @param criterion the statement
     * @param passed    whether the judge found it satisfied
     * @param reason    the judge's reason
     */
    public record Verdict(String criterion, boolean passed, String reason) {
        /**
         * Checks the values are present.
         *
         * @param criterion the statement
         * @param passed    whether it passed
         * @param reason    the judge's reason
         */
        public Verdict {
            Objects.requireNonNull(criterion, "criterion");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Judges {@code criterion} against {@code transcript}.
     *
     * @param transcript the run, as {@link EvalResult#transcript()} renders it
     * @param criterion  the statement that must hold
     * @return the verdict
     * @throws EvalException when the model fails or answers something other than a verdict
     */
    public Verdict judge(String transcript, String criterion) {
        ChatRequest request = new ChatRequest(List.of(Message.system(SYSTEM),
                Message.user("<transcript>\n" + transcript + "\n</transcript>\n\nCriterion: " + criterion)), List.of(),
                ChatOptions.builder().responseFormat(new ResponseFormat.JsonSchemaFormat("verdict", VERDICT, true))
                        .temperature(0.0).build());
        String answer;
        try {
            answer = model.chat(request).text();
        } catch (RuntimeException e) {
            throw new EvalException("the judge model " + model.id() + " failed on criterion \"" + criterion + "\": "
                    + e.getMessage(), e);
        }
        return parse(criterion, answer);
    }

    /**
     * Checks that the judge can judge: a statement that plainly holds must pass (as docker-agent does before an
     * evaluation run), so a misconfigured judge fails the evaluation up front instead of failing every criterion.
     *
     * @throws EvalException when the judge does not pass the obvious case
     */
    public void validate() {
        Verdict v = judge("[Agent root says]:\nThe sky is blue.", "The response mentions a color.");
        if (!v.passed()) {
            throw new EvalException("the judge model " + model.id() + " failed its self-check (it judged \"The sky is "
                    + "blue.\" not to mention a color: " + v.reason() + "); fix the judge before evaluating");
        }
    }

    static Verdict parse(String criterion, String answer) {
        String text = answer.strip();
        if (text.startsWith("```")) {
            int nl = text.indexOf('\n');
            text = nl < 0 ? text : text.substring(nl + 1).replaceAll("```\\s*$", "").strip();
        }
        JsonValue v;
        try {
            v = JsonValue.parse(text);
        } catch (JsonParseException e) {
            throw shape(criterion, answer);
        }
        if (!(v instanceof JsonObject o)) {
            throw shape(criterion, answer);
        }
        Optional<String> result = o.get("result").filter(r -> r instanceof JsonString).map(r -> ((JsonString) r).value());
        if (result.isEmpty() || !(result.get().equals("pass") || result.get().equals("fail"))) {
            throw shape(criterion, answer);
        }
        String reason = o.get("reason").filter(r -> r instanceof JsonString).map(r -> ((JsonString) r).value()).orElse("");
        return new Verdict(criterion, result.get().equals("pass"), reason);
    }

    private static EvalException shape(String criterion, String answer) {
        String shown = answer.length() > 200 ? answer.substring(0, 200) + "…" : answer;
        return new EvalException("the judge answered \"" + shown + "\" for criterion \"" + criterion
                + "\", not {\"result\": \"pass\"|\"fail\", \"reason\": …}");
    }

    @Override
    public String toString() {
        return "Judge[" + model.id() + "]";
    }
}
