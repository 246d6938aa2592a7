package dev.keel.agents.hooks;

/**
 * Code that runs at a {@link HookEvent}: it sees the event's input and returns what the run should do.
 * Runs on the thread of the run (parallel tool calls may run their hooks concurrently), so it must be
 * thread-safe and should be quick. Throwing counts as a failed hook: see {@link Hooks.OnError}.
 *
 * <pre>{@code
 * Hook noForcePush = input -> input.toolInput().get("cmd").flatMap(JsonValue::asString)
 *         .filter(cmd -> cmd.contains("push --force")).map(cmd -> HookResult.deny("no force pushes"))
 *         .orElse(HookResult.proceed());
 * }</pre>
 */
@FunctionalInterface
public interface Hook {

    /**
     * Handles one occurrence of an event.
     *
     * @param input what happened
     * @return what to do; {@link HookResult#proceed()} to carry on as if the hook were not there
     * @throws Exception when the hook fails
     */
    HookResult handle(HookInput input) throws Exception;
}
