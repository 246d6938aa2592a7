package dev.keel.agents.team;

import dev.keel.agents.hooks.CommandHook;
import dev.keel.agents.hooks.Hook;
import dev.keel.agents.hooks.HookEvent;
import dev.keel.agents.hooks.Hooks;
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
                f.onlyFor(h, path, Set.of("type", "name", "evaluator", "routing_policy", "timeout"), "an evaluator hook");
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

    /** A {@code type: evaluator} hook: the evaluator, its model as the file resolves it, and the routing policy. */
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
        Map<String, dev.keel.agents.hooks.HookResult.Decision> routing = new java.util.LinkedHashMap<>();
        Entry policy = h.entries().get("routing_policy");
        if (policy == null) {
            f.warn(h.line() + ": " + path + ": no routing_policy, so every verdict of evaluator '" + name
                    + "' denies the call");
        } else {
            for (Entry r : f.map(policy.value(), path + ".routing_policy").entries().values()) {
                String rp = path + ".routing_policy." + r.key();
                if (!evaluator.verdicts().contains(r.key())) {
                    throw f.error(r.line(), rp, "'" + r.key() + "' is not a verdict of evaluator '" + name
                            + "'; its verdicts are " + evaluator.verdicts());
                }
                String decision = f.scalarText(r.value(), rp).strip().toLowerCase(Locale.ROOT);
                routing.put(r.key(), switch (decision) {
                    case "allow" -> dev.keel.agents.hooks.HookResult.Decision.ALLOW;
                    case "ask" -> dev.keel.agents.hooks.HookResult.Decision.ASK;
                    case "deny" -> dev.keel.agents.hooks.HookResult.Decision.DENY;
                    default -> throw f.error(r.line(), rp, "'" + decision + "' is not a decision; use allow, ask or deny");
                });
            }
        }
        String ref = evaluator.provider().isEmpty() ? evaluator.model() : evaluator.provider() + "/" + evaluator.model();
        dev.keel.core.models.ModelConfig model = null;
        String cannot = null;
        if (evaluator.provider().equalsIgnoreCase("typesafe")) {
            cannot = "it is served by the TypeSafe judge service, whose API Keel does not call";
        } else {
            try {
                model = models.definition(ref, line, "evaluators." + name + ".model", false).config();
            } catch (TeamFileException ex) {
                cannot = ex.getMessage();
            }
        }
        if (model == null) {
            // A valid file still loads; the guard cannot assess anything, so every call it guards is denied.
            f.warn(line + ": " + path + ": evaluator '" + name + "' has no model Keel can call (" + cannot
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
        return new EvaluatorGuard(evaluator, model, routing);
    }

    private static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
