package dev.keel.agents.team;

import dev.keel.agents.hooks.CommandHook;
import dev.keel.agents.hooks.Hook;
import dev.keel.agents.hooks.HookEvent;
import dev.keel.agents.hooks.HookResult;
import dev.keel.agents.hooks.Hooks;
import dev.keel.agents.internal.judge.JudgeClient;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.core.exec.LocalCommandRunner;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An agent's {@code hooks:} block: every event of the current schema, each entry a {@code command} hook
 * (run on the host in the working directory, JSON on stdin), a {@code builtin} ({@link BuiltinHooks}) or a
 * {@code model} hook ({@link TemplateModelHook}); tool events take {@code matcher} + {@code hooks} (+
 * {@code preempt_yolo}). {@code tool_guard} entries of {@code type: evaluator} run one of the file's
 * {@code evaluators} ({@link EvaluatorGuard}). Events Keel never reaches (steering queues, worktrees) load and are
 * listed in the README; the {@code snapshot} builtin needs a feature Keel lacks and is a warning. One per load;
 * not thread-safe.
 */
final class HookSection {
    private final TeamFields f;
    private final ModelSection models;
    private final BuiltinHooks builtins;
    private final Map<String, Evaluator> evaluators;

    HookSection(TeamFields f, ModelSection models, Map<String, Evaluator> evaluators) {
        this.f = f;
        this.models = models;
        this.evaluators = evaluators;
        this.builtins = new BuiltinHooks(f.options().workingDirectory(), f.options().httpClient(), Clock.systemDefaultZone());
    }

    /** What an agent's hooks block says: the hooks, and whether it wires redaction of messages to the model. */
    record Read(Hooks hooks, boolean redactsMessages) {}

    Read read(Entry hooks, String path, Map<String, ModelDefinition> agentModels) {
        MapNode m = f.map(hooks.value(), path);
        Hooks.Builder b = Hooks.builder();
        boolean redactsMessages = false;
        for (Entry e : m.entries().values()) {
            String ep = path + "." + e.key();
            HookEvent event = HookEvent.named(e.key()).orElseThrow();
            ListNode entries = f.list(e.value(), ep);
            for (int i = 0; i < entries.items().size(); i++) {
                String ip = ep + "[" + i + "]";
                MapNode item = f.map(entries.items().get(i), ip);
                if (event.matchesTools()) {
                    String matcher = f.optString(item, "matcher", ip).orElse("*");
                    boolean preempt = f.optBool(item, "preempt_yolo", ip).orElse(false);
                    if (preempt && event != HookEvent.PRE_TOOL_USE) {
                        f.warn(item.entries().get("preempt_yolo").line() + ": " + ip + ".preempt_yolo: only applies to "
                                + "pre_tool_use, ignored");
                    }
                    Entry inner = item.entries().get("hooks");
                    if (inner == null) {
                        throw f.error(item.line(), ip + ".hooks", "a " + e.key() + " entry needs 'hooks'");
                    }
                    ListNode list = f.list(inner.value(), ip + ".hooks");
                    for (int j = 0; j < list.items().size(); j++) {
                        String hp = ip + ".hooks[" + j + "]";
                        redactsMessages |= add(b, event, matcher, preempt && event == HookEvent.PRE_TOOL_USE,
                                list.items().get(j), hp, agentModels);
                    }
                } else {
                    redactsMessages |= add(b, event, "*", false, item, ip, agentModels);
                }
            }
        }
        return new Read(b.build(), redactsMessages);
    }

    /** Adds one hook definition; returns whether it is a {@code redact_secrets} builtin on {@code before_llm_call}. */
    private boolean add(Hooks.Builder b, HookEvent event, String matcher, boolean preempt, Node node, String path,
                        Map<String, ModelDefinition> agentModels) {
        MapNode h = f.map(node, path);
        String type = f.optString(h, "type", path).orElse("command").toLowerCase(Locale.ROOT);
        String name = f.optString(h, "name", path).orElse(null);
        Hooks.OnError onError = switch (f.optString(h, "on_error", path).orElse("warn").toLowerCase(Locale.ROOT)) {
            case "ignore" -> Hooks.OnError.IGNORE;
            case "block" -> Hooks.OnError.BLOCK;
            case "warn" -> Hooks.OnError.WARN;
            default -> throw f.error(h.entries().get("on_error").line(), path + ".on_error", "expected warn, ignore or block");
        };
        Integer timeout = f.optInt(h, "timeout", path);
        Hook hook;
        boolean redactsMessages = false;
        switch (type) {
            case "command" -> {
                f.onlyFor(h, path, Set.of("type", "name", "command", "timeout", "env", "working_dir", "on_error", "args"),
                        "a command hook");
                String command = f.requiredString(h, "command", path);
                List<String> args = f.strings(h, "args", path);
                if (!args.isEmpty()) {
                    command = command + " " + String.join(" ", args.stream().map(HookSection::quote).toList());
                }
                CommandHook.Builder cb = CommandHook.builder(command)
                        .runner(LocalCommandRunner.in(f.options().workingDirectory()))
                        .env(f.envMap(h, path, "env").values());
                f.optString(h, "working_dir", path).ifPresent(d -> cb.workingDirectory(f.resolveWorkPath(d).toString()));
                if (timeout != null) {
                    cb.timeout(Duration.ofSeconds(Math.max(1, timeout)));
                }
                hook = cb.build();
                name = name != null ? name : command;
            }
            case "builtin" -> {
                String builtin = f.requiredString(h, "command", path);
                if (builtin.equals("snapshot")) {
                    f.warn(h.entries().get("command").line() + ": " + path + ".command: the snapshot builtin keeps "
                            + "docker-agent's shadow-git undo history, which Keel does not have; ignored");
                    return false;
                }
                try {
                    hook = builtins.hook(builtin, f.strings(h, "args", path), agentModels);
                } catch (IllegalArgumentException ex) {
                    throw f.error(h.entries().get("command").line(), path + ".command", ex.getMessage());
                }
                redactsMessages = builtin.equals("redact_secrets") && event == HookEvent.BEFORE_LLM_CALL;
                name = name != null ? name : builtin;
            }
            case "model" -> {
                String model = f.requiredString(h, "model", path);
                String prompt = f.requiredString(h, "prompt", path);
                String schema = f.optString(h, "schema", path).orElse(null);
                if (schema != null && !TemplateModelHook.schemas().contains(schema)) {
                    throw f.error(h.entries().get("schema").line(), path + ".schema", "unknown schema '" + schema
                            + "'; the schemas are " + TemplateModelHook.schemas());
                }
                ModelDefinition def = models.definition(model, h.entries().get("model").line(), path + ".model", false);
                hook = new TemplateModelHook(def.config(), prompt, schema);
                name = name != null ? name : "model " + model;
            }
            case "evaluator" -> {
                if (event != HookEvent.TOOL_GUARD) {
                    f.warn(h.line() + ": " + path + ": Keel runs evaluator hooks as tool guards (tool_guard) only; "
                            + "on " + event.eventName() + " it is ignored");
                    return false;
                }
                f.onlyFor(h, path, Set.of("type", "name", "evaluator", "routing_policy", "evaluator_policy", "timeout"),
                        "an evaluator hook");
                hook = evaluatorGuard(h, path, timeout);
                name = name != null ? name : "evaluator " + f.requiredString(h, "evaluator", path);
            }
            default -> throw f.error(h.entries().containsKey("type") ? h.entries().get("type").line() : h.line(),
                    path + ".type", "unknown hook type '" + type + "'; use command, builtin or model");
        }
        try {
            b.add(new Hooks.Registration(event, matcher, hook, name, onError, preempt));
        } catch (IllegalArgumentException ex) {
            throw f.error(h.line(), path, ex.getMessage());
        }
        return redactsMessages;
    }

    /**
     * A {@code type: evaluator} hook: the evaluator (a judge service, or a chat model as the file resolves it) and
     * its policy — {@code routing_policy} (verdict → decision) or docker-agent's {@code evaluator_policy}
     * ({@code decisions}, {@code min_probability}, {@code fallback}).
     */
    private Hook evaluatorGuard(MapNode h, String path, Integer timeout) {
        String name = f.requiredString(h, "evaluator", path);
        int line = h.entries().get("evaluator").line();
        Evaluator evaluator = evaluators.get(name);
        if (evaluator == null) {
            throw f.error(line, path + ".evaluator", "unknown evaluator '" + name + "'; the file's evaluators are "
                    + evaluators.keySet());
        }
        if (timeout != null) {
            evaluator = new Evaluator(evaluator.name(), evaluator.provider(), evaluator.model(), evaluator.kind(),
                    evaluator.instructions(), evaluator.choices(), evaluator.levels(), evaluator.baseUrl(),
                    evaluator.endpoint(), evaluator.tokenKey(), Duration.ofSeconds(Math.max(1, timeout)),
                    evaluator.price());
        }
        GuardPolicy policy = policy(h, path, evaluator);
        if (evaluator.usesJudgeService()) {
            return new JudgeGuard(evaluator, new JudgeClient(evaluator, f.options().httpClient(), environment()),
                    policy);
        }
        if (policy.minProbability() > 0) {
            f.warn(h.entries().get("evaluator_policy").line() + ": " + path + ".evaluator_policy.min_probability: "
                    + "evaluator '" + name + "' is judged by a chat model, whose verdicts carry no probability, so "
                    + "every verdict takes the fallback; use a judge service (provider typesafe or openai)");
        }
        String ref = evaluator.provider().isEmpty() ? evaluator.model() : evaluator.provider() + "/" + evaluator.model();
        dev.keel.core.models.ModelConfig model;
        try {
            model = models.definition(ref, line, "evaluators." + name + ".model", false).config();
        } catch (TeamFileException ex) {
            // A valid file still loads; the guard cannot assess anything, so every call it guards is denied.
            f.warn(line + ": " + path + ": evaluator '" + name + "' has no model Keel can call (" + ex.getMessage()
                    + "); the calls this guard matches are denied");
            String why = "evaluator '" + name + "' has no model Keel can call";
            return input -> {
                throw new IllegalStateException(why);
            };
        }
        if (!evaluator.baseUrl().isEmpty()) {
            model = model.withBaseUrl(evaluator.baseUrl());
        }
        if (!evaluator.tokenKey().isEmpty()) {
            model = model.withTokenKey(evaluator.tokenKey());
        }
        return new EvaluatorGuard(evaluator, model, policy);
    }

    /**
     * The load's variables as a judge guard reads its key: the file's own {@code env}, then the environment. A
     * snapshot of the file's variables, so the guard, which lives as long as the team, does not keep the loader.
     */
    private java.util.function.Function<String, String> environment() {
        return f.variables();
    }

    private GuardPolicy policy(MapNode h, String path, Evaluator evaluator) {
        Entry routingPolicy = h.entries().get("routing_policy");
        Entry evaluatorPolicy = h.entries().get("evaluator_policy");
        if (routingPolicy != null && evaluatorPolicy != null) {
            throw f.error(evaluatorPolicy.line(), path, "set routing_policy or evaluator_policy, not both");
        }
        if (evaluatorPolicy != null) {
            return evaluatorPolicy(evaluatorPolicy, path + ".evaluator_policy", evaluator);
        }
        if (routingPolicy == null) {
            f.warn(h.line() + ": " + path + ": no routing_policy or evaluator_policy, so every verdict of evaluator '"
                    + evaluator.name() + "' denies the call");
            return GuardPolicy.routing(Map.of());
        }
        String rp = path + ".routing_policy";
        return GuardPolicy.routing(decisions(f.map(routingPolicy.value(), rp), rp, evaluator));
    }

    /** docker-agent's {@code evaluator_policy}: every field required, for a boolean or choice evaluator. */
    private GuardPolicy evaluatorPolicy(Entry e, String path, Evaluator evaluator) {
        MapNode p = f.map(e.value(), path);
        f.onlyFor(p, path, Set.of("decisions", "min_probability", "fallback"), "an evaluator_policy");
        if (evaluator.kind() == Evaluator.Kind.SCORE) {
            throw f.error(e.line(), path, "tool guards need a boolean or choice evaluator; '" + evaluator.name()
                    + "' is a score evaluator");
        }
        Entry d = p.entries().get("decisions");
        if (d == null) {
            throw f.error(p.line(), path + ".decisions", "is required: the decision for each verdict");
        }
        Map<String, HookResult.Decision> decisions = decisions(f.map(d.value(), path + ".decisions"),
                path + ".decisions", evaluator);
        if (decisions.isEmpty()) {
            throw f.error(d.line(), path + ".decisions", "must not be empty");
        }
        Entry mp = p.entries().get("min_probability");
        double min;
        try {
            min = mp == null ? Double.NaN : Double.parseDouble(f.scalarText(mp.value(), path + ".min_probability"));
        } catch (NumberFormatException ex) {
            min = Double.NaN;
        }
        if (!(min > 0 && min <= 1)) {
            throw f.error(mp == null ? p.line() : mp.line(), path + ".min_probability",
                    "must be a number greater than 0 and at most 1");
        }
        Entry fb = p.entries().get("fallback");
        String fallback = fb == null ? "" : f.scalarText(fb.value(), path + ".fallback").strip().toLowerCase(Locale.ROOT);
        HookResult.Decision fallbackDecision = switch (fallback) {
            case "ask" -> HookResult.Decision.ASK;
            case "deny" -> HookResult.Decision.DENY;
            default -> throw f.error(fb == null ? p.line() : fb.line(), path + ".fallback",
                    "must be ask or deny (a guard never falls back to allow)");
        };
        return new GuardPolicy(decisions, min, fallbackDecision);
    }

    /** verdict → allow | ask | deny, each key a verdict of the evaluator. */
    private Map<String, HookResult.Decision> decisions(MapNode m, String path, Evaluator evaluator) {
        Map<String, HookResult.Decision> out = new java.util.LinkedHashMap<>();
        for (Entry r : m.entries().values()) {
            String rp = path + "." + r.key();
            if (!evaluator.verdicts().contains(r.key())) {
                throw f.error(r.line(), rp, "'" + r.key() + "' is not a verdict of evaluator '" + evaluator.name()
                        + "'; its verdicts are " + evaluator.verdicts());
            }
            String decision = f.scalarText(r.value(), rp).strip().toLowerCase(Locale.ROOT);
            out.put(r.key(), switch (decision) {
                case "allow" -> HookResult.Decision.ALLOW;
                case "ask" -> HookResult.Decision.ASK;
                case "deny" -> HookResult.Decision.DENY;
                default -> throw f.error(r.line(), rp, "'" + decision + "' is not a decision; use allow, ask or deny");
            });
        }
        return out;
    }

    private static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
