package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonObject;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * docker-agent's {@code user_prompt} toolset: {@code user_prompt(message, title, schema)} asks the host
 * application's {@link UserPrompter} and returns {@code {"action": "accept"|"decline"|"cancel", "content": …}}.
 * Without a prompter (a headless service) every call is a tool error saying no one can answer, so the agent
 * goes on without the answer instead of waiting forever. Thread-safe when the prompter is.
 */
public final class UserPromptToolset implements Toolset {
    private final UserPrompter prompter;

    private UserPromptToolset(UserPrompter prompter) {
        this.prompter = prompter;
    }

    /**
     * Questions go to {@code prompter}.
     *
     * @param prompter the host application's prompter
     * @return the toolset
     */
    public static UserPromptToolset of(UserPrompter prompter) {
        return new UserPromptToolset(java.util.Objects.requireNonNull(prompter, "prompter"));
    }

    /**
     * No one to ask: every question is a tool error.
     *
     * @return the toolset
     */
    public static UserPromptToolset headless() {
        return new UserPromptToolset(null);
    }

    /**
     * The prompter, absent when headless.
     *
     * @return the prompter, if any
     */
    public Optional<UserPrompter> prompter() {
        return Optional.ofNullable(prompter);
    }

    @Override
    public String name() {
        return "user_prompt";
    }

    @Override
    public List<Tool> tools() {
        return List.of(Tool.of(ToolSpec.of("user_prompt", "Ask the user a question and wait for the answer. Use it "
                        + "when you need clarification, a decision or a value only the user has.",
                JsonSchema.object().required("message", JsonSchema.string("The question to show the user"))
                        .optional("title", JsonSchema.string("A short title for the question"))
                        .optional("schema", JsonSchema.object().build().describedAs(
                                "JSON schema of the expected answer (an object or a primitive)"))
                        .build()),
                true, (args, ctx) -> {
                    if (prompter == null) {
                        return ToolResult.error("no user can answer here: this application runs without one (the "
                                + "host application sets a UserPrompter to answer user_prompt); go on without the "
                                + "answer or say what you need in your reply");
                    }
                    JsonObject schema = args.value("schema").flatMap(v -> v.asObject()).orElse(null);
                    String title = args.string("title", "");
                    UserPrompter.Answer a = prompter.ask(new UserPrompter.Question(ctx.agent(), ctx.sessionId(),
                            title.isBlank() ? "Question" : title, args.string("message"), schema));
                    if (a == null) {
                        return ToolResult.error("the user prompt returned no answer");
                    }
                    return ToolResult.ok(JsonObject.builder().put("action", a.action().name().toLowerCase(Locale.ROOT))
                            .put("content", a.content()).build().toJson());
                }));
    }

    @Override
    public String toString() {
        return "UserPromptToolset[" + (prompter == null ? "headless" : prompter) + "]";
    }
}
