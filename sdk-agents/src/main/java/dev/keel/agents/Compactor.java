package dev.keel.agents;

import dev.keel.agents.internal.ContextTokens;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.StreamListener;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.models.ModelConfig;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts a session as docker-agent does: the turns before a kept tail (about a fifth of the context window, at
 * most {@link Compaction#MAX_KEEP_TOKENS}) are summarised, with the previous summary, by the compaction model in one
 * model call; the summary then stands in for them ({@link Session#compacted}). The conversation goes to the
 * summariser as a transcript in one user message, so any model can summarise any conversation (tool calls
 * included) without tool definitions. Hooks may veto a compaction or supply the summary. A failure leaves the
 * session untouched. Stateless apart from the runner it reads; thread-safe.
 */
final class Compactor {
    private static final Logger log = LoggerFactory.getLogger(Compactor.class);

    static final String SYSTEM_PROMPT = """
            You summarise a conversation between a user and an AI agent so that the agent can carry on from your \
            summary alone, without the conversation. Keep what the agent needs: the user's goals and requests in \
            their own terms, decisions made and why, facts learned (names, paths, commands, values, errors), the \
            work done and its results, and what is still to do. Be concise and factual, invent nothing, and write \
            in the conversation's language. Answer with the summary only.""";
    private static final String REQUEST = "Summarise the conversation above as instructed.";

    private final Runner runner;
    private final RunHooks hooks;

    Compactor(Runner runner, RunHooks hooks) {
        this.runner = runner;
        this.hooks = hooks;
    }

    /**
     * The context window compaction plans against, in tokens: the agent's setting, else its model's
     * {@code provider_opts.context_size} or published window, capped by the compaction model's (the summary call
     * must take the conversation in); 0 when unknown.
     */
    static long window(Agent agent) {
        Compaction c = agent.compaction();
        if (c.contextWindow() > 0) {
            return c.contextWindow();
        }
        long primary = window(agent.model());
        long summariser = c.model().map(Compactor::window).orElse(0L);
        if (primary <= 0) {
            return summariser;
        }
        return summariser > 0 ? Math.min(primary, summariser) : primary;
    }

    private static long window(AgentModel model) {
        if (!(model instanceof AgentModel.Configured configured && configured.spec() instanceof ModelConfig config)) {
            return 0;
        }
        Optional<JsonValue> size = config.providerOptions().get("context_size");
        if (size.isPresent()) {
            java.util.OptionalLong n = size.get().asLong();
            if (n.isPresent() && n.getAsLong() > 0) {
                return n.getAsLong();
            }
        }
        return ContextTokens.publishedWindow(config.model()).orElse(0);
    }

    /** Whether automatic compaction should run before a call whose context is about {@code contextTokens}. */
    boolean due(Agent agent, long contextTokens) {
        if (!agent.compaction().enabled() || !runner.sessionCompaction()) {
            return false;
        }
        long window = window(agent);
        return window > 0 && contextTokens > (long) (window * agent.compaction().threshold());
    }

    /**
     * Compacts {@code session} for {@code agent}; empty when there was nothing to compact, a hook vetoed it, or it
     * failed (a {@link AgentEvent.CompactionFailed} says so, and {@code failure} receives the cause).
     *
     * @param contextTokens the size of the context now, for the event and the hooks
     * @param overhead      tokens the next call sends besides the history (the system prompt), for the event
     */
    Optional<AgentEvent.SessionCompacted> compact(Agent agent, Session session, Compaction.Reason reason,
                                                  long contextTokens, long overhead,
                                                  java.util.function.Consumer<RuntimeException> failure) {
        long window = window(agent);
        // An overflow (or a request) on a model whose window is unknown: the kept tail is planned against what was
        // sent, which is at least what the model can take.
        long planning = window > 0 ? window : contextTokens;
        List<Message> messages = session.messages();
        int from = session.firstKept();
        long keepBudget = Math.min(Compaction.MAX_KEEP_TOKENS, planning / 5);
        int keepFrom = from + ContextTokens.keepFrom(messages.subList(from, messages.size()), keepBudget);
        if (keepFrom == from) {
            log.debug("session {}: nothing to compact, the whole conversation fits the kept tail", session.id());
            return Optional.empty();
        }
        HookDispatch.Outcome gate = hooks.beforeCompaction(agent, session, reason, contextTokens, planning);
        if (gate.blocked()) {
            log.info("session {}: compaction ({}) vetoed by a hook: {}", session.id(), reason.wireName(), gate.reason());
            return Optional.empty();
        }
        String summary;
        String modelLabel;
        if (gate.summary() != null) {
            summary = gate.summary();
            modelLabel = "hook";
        } else {
            AgentModel summariser = agent.compaction().model().orElse(agent.model());
            modelLabel = summariser.label();
            try {
                summary = summarise(agent, session, summariser, messages.subList(from, keepFrom), window,
                        gate.context());
            } catch (RecordingDivergenceException e) {
                throw e; // the run left its recording: not a failed compaction to carry on from
            } catch (RuntimeException e) {
                String why = "compacting the session of agent '" + agent.name() + "' with " + modelLabel + " failed: "
                        + e.getMessage();
                log.warn("{} (the session is left as it was)", why);
                runner.emit(new AgentEvent.CompactionFailed(agent.name(), session.id(), reason, why, e));
                failure.accept(e);
                return Optional.empty();
            }
            if (summary.isBlank()) {
                String why = modelLabel + " gave an empty summary; the session is left as it was";
                runner.emit(new AgentEvent.CompactionFailed(agent.name(), session.id(), reason, why, null));
                failure.accept(new AgentException(why));
                return Optional.empty();
            }
        }
        session.compacted(summary, keepFrom);
        long after = overhead + ContextTokens.estimate(session.contextMessages());
        AgentEvent.SessionCompacted done = new AgentEvent.SessionCompacted(agent.name(), session.id(), reason, modelLabel,
                contextTokens, after, keepFrom - from, summary);
        log.debug("session {}: compacted {} messages ({}), about {} tokens saved", session.id(), done.compactedMessages(),
                reason.wireName(), done.tokensSaved());
        runner.emit(done);
        hooks.afterCompaction(agent, session, reason, contextTokens, planning, summary);
        return Optional.of(done);
    }

    /** One model call: the previous summary and the turns to fold, as a transcript that fits the window. */
    private String summarise(Agent agent, Session session, AgentModel summariser, List<Message> turns, long window,
                             String steering) {
        long summaryBudget = window > 0 ? Math.min(Compaction.MAX_SUMMARY_TOKENS, window / 4)
                : Compaction.MAX_SUMMARY_TOKENS;
        String request = steering.isBlank() ? REQUEST : REQUEST + "\n\n" + steering;
        List<Message> fit = turns;
        if (window > 0) {
            long room = window - summaryBudget - ContextTokens.estimate(Message.system(SYSTEM_PROMPT))
                    - ContextTokens.estimate(Message.user(request)) - session.summary().map(s -> ContextTokens.estimate(Message.system(s))).orElse(0L);
            // the oldest turns go first when even the summariser cannot take them all in
            fit = turns.subList(Math.max(0, turns.size() - lastFitting(turns, room)), turns.size());
            if (fit.isEmpty()) {
                throw new AgentException("not one turn of the conversation fits the summarising model's window of "
                        + window + " tokens");
            }
        }
        StringBuilder transcript = new StringBuilder();
        session.summary().ifPresent(s -> transcript.append("[summary of what came before]\n").append(s).append("\n\n"));
        for (Message m : fit) {
            transcript.append(render(m)).append("\n\n");
        }
        transcript.append(request);
        ChatOptions options = summariser.options().toBuilder().maxTokens((int) summaryBudget).responseFormat(null)
                .toolChoice(null).build();
        ChatRequest summaryRequest = new ChatRequest(List.of(Message.system(SYSTEM_PROMPT),
                Message.user(transcript.toString())), List.of(), options);
        // A step like the agent's own model calls, so a run recording records and replays the summary too; the
        // model is resolved inside it (a replayed summary needs no model).
        ChatResponse response = runner.steps().modelCall(
                new StepInterceptor.ModelStep(new StepInterceptor.Position(agent.name(), session.id(), 0, session.state()),
                        summariser.label(), summaryRequest, new StreamListener() { }),
                () -> (summariser instanceof AgentModel.Instance i ? i.model()
                        : runner.model(((AgentModel.Configured) summariser).spec(), agent.name())).chat(summaryRequest));
        ModelPrice price = runner.settings().prices().get(summariser.label());
        session.addSideUsage(response.usage(), price, summariser.label());
        runner.emit(new AgentEvent.UsageReported(agent.name(), session.id(), response.usage(), session.usage(),
                session.cost().isPresent() ? session.cost().getAsDouble() : null));
        return response.text().strip();
    }

    /** How many of the last turns fit in {@code room} tokens, starting on a user or assistant turn. */
    private static int lastFitting(List<Message> turns, long room) {
        int start = ContextTokens.keepFrom(turns, Math.max(0, room));
        return turns.size() - start;
    }

    private static String render(Message m) {
        if (m instanceof UserMessage u) {
            return "[user]\n" + u.text();
        }
        if (m instanceof SystemMessage s) {
            return "[system]\n" + s.text();
        }
        if (m instanceof ToolResultMessage r) {
            return "[" + (r.error() ? "error from " : "result of ") + r.toolName() + "]\n" + r.content();
        }
        AssistantMessage a = (AssistantMessage) m;
        StringBuilder sb = new StringBuilder("[assistant]");
        if (!a.text().isBlank()) {
            sb.append('\n').append(a.text());
        }
        for (ToolCall c : a.toolCalls()) {
            sb.append("\n(calls ").append(c.name()).append(' ').append(c.arguments()).append(')');
        }
        return sb.toString();
    }
}
