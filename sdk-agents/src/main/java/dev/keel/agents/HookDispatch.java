package dev.keel.agents;

import dev.keel.agents.hooks.HookEvent;
import dev.keel.agents.hooks.HookInput;
import dev.keel.agents.hooks.HookResult;
import dev.keel.agents.hooks.Hooks;
import dev.keel.agents.internal.ModelHook;
import dev.keel.agents.internal.SpendingHook;
import dev.keel.agents.internal.RedactionHooks;
import dev.keel.agents.internal.Secrets;
import dev.keel.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the hooks of an event for one agent: the runner's hooks, then the agent's. Several hooks on one event
 * run in order; the first block or deny ends the chain; rewritten tool arguments pass on to the next hook;
 * contexts add up. A failed hook follows its {@link Hooks.OnError} policy, except on {@code pre_tool_use} and
 * {@code tool_guard}, where a failure refuses the call (fail closed). What a model hook's model used is added to
 * the session when the caller passes it. Stateless apart from the runner it reads; thread-safe.
 */
final class HookDispatch {
    private static final Logger log = LoggerFactory.getLogger(HookDispatch.class);

    private final Runner runner;

    HookDispatch(Runner runner) {
        this.runner = runner;
    }

    /** What the hooks of one event decided together. */
    record Outcome(boolean blocked, String reason, HookResult.Decision decision, JsonObject updatedInput,
                   String updatedResponse, List<String> contexts, String summary) {
        static final Outcome NOTHING = new Outcome(false, null, null, null, null, List.of(), null);

        String context() {
            return String.join("\n\n", contexts);
        }

        boolean denied() {
            return blocked || decision == HookResult.Decision.DENY;
        }
    }

    boolean has(HookEvent event, Agent agent) {
        return !runner.settings().hooks().forEvent(event, null).isEmpty() || !agent.hooks().forEvent(event, null).isEmpty();
    }

    /** The redaction leg for messages sent to the model, when the agent redacts secrets. */
    static java.util.List<dev.keel.core.message.Message> redacted(Agent agent,
                                                                  java.util.List<dev.keel.core.message.Message> messages) {
        if (!agent.redactSecrets()) {
            return messages;
        }
        return messages.stream().map(HookDispatch::redact).toList();
    }

    private static dev.keel.core.message.Message redact(dev.keel.core.message.Message m) {
        if (m instanceof dev.keel.core.message.UserMessage u) {
            return dev.keel.core.message.Message.user(Secrets.redact(u.text()));
        }
        if (m instanceof dev.keel.core.message.ToolResultMessage r) {
            return new dev.keel.core.message.ToolResultMessage(r.toolCallId(), r.toolName(), Secrets.redact(r.content()),
                    r.error());
        }
        if (m instanceof dev.keel.core.message.AssistantMessage a) {
            java.util.List<dev.keel.core.message.ToolCall> calls = a.toolCalls().stream()
                    .map(c -> new dev.keel.core.message.ToolCall(c.id(), c.name(), Secrets.redact(c.arguments()))).toList();
            return new dev.keel.core.message.AssistantMessage(Secrets.redact(a.text()), calls);
        }
        return m;
    }

    /** Runs every hook of {@code event} for {@code agent}; {@code tool} selects tool hooks (else null). */
    Outcome fire(HookEvent event, Agent agent, String sessionId, String tool, Map<String, ?> fields) {
        return fire(event, agent, sessionId, tool, fields, null);
    }

    /**
     * Like {@link #fire(HookEvent, Agent, String, String, Map)}, with only preemptive ({@code true}) or only
     * ordinary ({@code false}) registrations when {@code preemptive} is set.
     */
    Outcome fire(HookEvent event, Agent agent, String sessionId, String tool, Map<String, ?> fields, Boolean preemptive) {
        return fire(event, agent, sessionId, tool, fields, preemptive, null);
    }

    /**
     * Like {@link #fire(HookEvent, Agent, String, String, Map, Boolean)}; model hooks' usage is added to
     * {@code session} (and reported) when it is not null.
     */
    Outcome fire(HookEvent event, Agent agent, String sessionId, String tool, Map<String, ?> fields, Boolean preemptive,
                 Session session) {
        List<Hooks.Registration> regs = new ArrayList<>(runner.settings().hooks().forEvent(event, tool));
        regs.addAll(agent.hooks().forEvent(event, tool));
        if (agent.redactSecrets()) {
            regs.addAll(RedactionHooks.HOOKS.forEvent(event, tool));
        }
        if (preemptive != null) {
            regs.removeIf(r -> r.preemptive() != preemptive);
        }
        if (regs.isEmpty()) {
            return Outcome.NOTHING;
        }
        JsonObject data = JsonObject.of(fields);
        List<String> contexts = new ArrayList<>();
        HookResult.Decision decision = null;
        String reason = null;
        JsonObject updatedInput = null;
        String updatedResponse = null;
        String summary = null;
        for (Hooks.Registration r : regs) {
            HookInput input = new HookInput(event, sessionId, runner.settings().workingDirectory(), agent.name(), data);
            HookResult result;
            try {
                result = r.hook() instanceof ModelHook mh ? mh.handle(input, counted(mh, agent, session))
                        : r.hook() instanceof SpendingHook sh ? sh.handle(input, spending(agent, session))
                        : r.hook().handle(input);
                if (result == null) {
                    result = HookResult.proceed();
                }
            } catch (AgentException.Cancelled e) {
                throw e;
            } catch (Exception e) {
                String why = "hook '" + r.name() + "' on " + event.eventName() + " failed: "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                if (event == HookEvent.TOOL_GUARD) {
                    log.warn("tool guard '{}' failed on tool '{}' of agent '{}'; the call is denied (fail closed): {}",
                            r.name(), tool, agent.name(), Secrets.redact(why));
                }
                if (event == HookEvent.PRE_TOOL_USE || event == HookEvent.TOOL_GUARD
                        || r.onError() == Hooks.OnError.BLOCK) {
                    return new Outcome(true, why, decision, updatedInput, updatedResponse, contexts, summary);
                }
                if (r.onError() == Hooks.OnError.WARN) {
                    log.warn("{} (carrying on)", why);
                }
                continue;
            }
            result.systemMessage().ifPresent(m -> log.info("hook '{}' on {}: {}", r.name(), event.eventName(), m));
            result.additionalContext().ifPresent(contexts::add);
            if (result.summary().isPresent() && !result.summary().get().isBlank()) {
                summary = result.summary().get();
            }
            if (result.blocked()) {
                return new Outcome(true, result.reason().orElse("blocked by hook '" + r.name() + "'"), decision,
                        updatedInput, updatedResponse, contexts, summary);
            }
            if (result.decision().isPresent()) {
                HookResult.Decision d = result.decision().get();
                if (d == HookResult.Decision.DENY) {
                    return new Outcome(false, result.reason().orElse("denied by hook '" + r.name() + "'"), d,
                            updatedInput, updatedResponse, contexts, summary);
                }
                if (decision != HookResult.Decision.ASK) {
                    decision = d;
                    reason = result.reason().orElse(null);
                }
            }
            if (result.updatedInput().isPresent()) {
                updatedInput = result.updatedInput().get();
                data = data.with("tool_input", updatedInput);
            }
            if (result.updatedToolResponse().isPresent()) {
                updatedResponse = result.updatedToolResponse().get();
                data = data.with("tool_response", updatedResponse);
            }
        }
        return new Outcome(false, reason, decision, updatedInput, updatedResponse, contexts, summary);
    }

    /**
     * Where a judge-service hook's requests are charged: with a session, each request's usage is added to it at
     * the request's price and reported; usage the service did not report cannot be counted, which is logged.
     */
    private dev.keel.agents.internal.judge.JudgeClient.Spending spending(Agent agent, Session session) {
        return (model, usage, price) -> {
            if (usage == null) {
                log.debug("a judge request to '{}' reported no token usage; it is not counted", model);
                return;
            }
            if (session != null) {
                session.addSideUsage(usage, price, model);
                runner.emit(new AgentEvent.UsageReported(agent.name(), session.id(), usage, session.usage(),
                        session.cost().isPresent() ? session.cost().getAsDouble() : null));
            }
        };
    }

    /** The hook's model; with a session, each response's usage is added to it and reported. */
    private dev.keel.core.ChatModel counted(ModelHook hook, Agent agent, Session session) {
        dev.keel.core.ChatModel model = runner.model(hook.model(), agent.name());
        if (session == null) {
            return model;
        }
        ModelPrice price = hook.price() != null ? hook.price() : runner.settings().prices().get(hook.model().label());
        return new dev.keel.core.ChatModel() {
            @Override
            public dev.keel.core.ChatResponse chat(dev.keel.core.ChatRequest request) {
                dev.keel.core.ChatResponse response = model.chat(request);
                if (response.usage() != null) {
                    session.addSideUsage(response.usage(), price, hook.model().label());
                    runner.emit(new AgentEvent.UsageReported(agent.name(), session.id(), response.usage(),
                            session.usage(), session.cost().isPresent() ? session.cost().getAsDouble() : null));
                }
                return response;
            }

            @Override
            public String id() {
                return model.id();
            }
        };
    }
}
