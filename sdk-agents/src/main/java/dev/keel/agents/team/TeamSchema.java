package dev.keel.agents.team;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shape of a team file: every section and the fields it may have, from docker-agent's
 * {@code agent-schema.json} (current version, plus the fields of older versions that {@link Migrations} turn
 * into current ones) and Keel's extension {@value #WORKFLOW}. The {@link SchemaWalk} checks a document against
 * it before anything is read: known fields pass, a field that differs from a known one only in case is read
 * as that one (with a warning), a near miss is an error with "did you mean", anything else is a located
 * warning and dropped. Readers ({@link ModelSection}, {@link ToolsetSection}, {@link TeamLoader}) therefore
 * only ever see known fields. Stateless.
 */
final class TeamSchema {
    private TeamSchema() {}

    /** The newest docker-agent schema version Keel knows; a file without {@code version} is read as this one. */
    static final int LATEST_VERSION = 16;

    /** Keel's extension on an agent: a workflow of other agents instead of a model (docker-agent rejects it). */
    static final String WORKFLOW = "x-keel-workflow";

    /** What a value in the document may be. */
    sealed interface Shape permits Obj, MapOf, ListOf, Scalar, Free, Either {}

    /** A mapping with a fixed set of fields. */
    record Obj(String name, Map<String, Shape> fields) implements Shape {
        Obj with(Object... more) {
            Map<String, Shape> all = new LinkedHashMap<>(fields);
            all.putAll(TeamSchema.fields(more).fields());
            return new Obj(name, all);
        }
    }

    /** A mapping of user-chosen names to values of one shape ({@code agents}, {@code models}, …). */
    record MapOf(Shape value) implements Shape {}

    /** A sequence of values of one shape. */
    record ListOf(Shape item) implements Shape {}

    /** A string, number or boolean. */
    record Scalar() implements Shape {}

    /** Anything: passed through unchecked ({@code provider_opts}, a JSON schema, MCP {@code config}). */
    record Free() implements Shape {}

    /** One of several shapes, chosen by the node's kind (mapping, sequence or scalar). */
    record Either(List<Shape> options) implements Shape {}

    static final Shape SCALAR = new Scalar();
    static final Shape FREE = new Free();
    static final Shape STRINGS = new ListOf(SCALAR);
    static final Shape STRING_MAP = new MapOf(SCALAR);
    static final Shape SCALAR_OR_STRINGS = new Either(List.of(SCALAR, STRINGS));

    /** An object shape from alternating field names and shapes. */
    static Obj fields(Object... nameAndShape) {
        return obj("", nameAndShape);
    }

    static Obj obj(String name, Object... nameAndShape) {
        Map<String, Shape> map = new LinkedHashMap<>();
        for (int i = 0; i < nameAndShape.length; i += 2) {
            map.put((String) nameAndShape[i], (Shape) nameAndShape[i + 1]);
        }
        return new Obj(name, map);
    }

    static Obj scalars(String name, String... names) {
        Map<String, Shape> map = new LinkedHashMap<>();
        Arrays.stream(names).forEach(n -> map.put(n, SCALAR));
        return new Obj(name, map);
    }

    static final Obj COST = scalars("cost", "input", "output", "cache_read", "cache_write");
    static final Obj AUTH = obj("auth", "type", SCALAR, "workload_identity_federation", FREE);
    static final Shape TASK_BUDGET = new Either(List.of(SCALAR, scalars("task_budget", "type", "total")));

    /** Generation options a model sets, or a provider sets as defaults for its models. */
    private static final Object[] OPTIONS = {"temperature", SCALAR, "max_tokens", SCALAR, "top_p", SCALAR,
            "frequency_penalty", SCALAR, "presence_penalty", SCALAR, "parallel_tool_calls", SCALAR,
            "thinking_budget", SCALAR, "task_budget", TASK_BUDGET, "provider_opts", FREE, "track_usage", SCALAR,
            "auth", AUTH, "compaction_model", SCALAR};

    static final Obj PROVIDER = obj("provider", "provider", SCALAR, "api_type", SCALAR, "base_url", SCALAR,
            "token_key", SCALAR, "unload_api", SCALAR, "headers", STRING_MAP).with(OPTIONS);

    static final Obj MODEL = obj("model", "provider", SCALAR, "model", SCALAR, "description", SCALAR,
            "base_url", SCALAR, "token_key", SCALAR, "bypass_models_gateway", SCALAR,
            "routing", new ListOf(obj("routing rule", "model", SCALAR, "examples", STRINGS)),
            "first_available", STRINGS, "title_model", SCALAR, "compaction_threshold", SCALAR,
            "capabilities", scalars("capabilities", "image", "pdf"),
            "output_capabilities", FREE, "cost", COST,
            // the variables a model's provider reads (a key under another variable's name)
            "env", STRING_MAP, "headers", STRING_MAP).with(OPTIONS);

    static final Obj REMOTE = obj("remote", "url", SCALAR, "transport_type", SCALAR, "headers", STRING_MAP,
            "oauth", FREE);

    static final Obj LIFECYCLE = obj("lifecycle", "profile", SCALAR, "required", SCALAR, "startup_timeout", SCALAR,
            "call_timeout", SCALAR, "restart", SCALAR, "max_restarts", SCALAR,
            "backoff", scalars("backoff", "initial", "max", "multiplier", "jitter"));

    static final Obj SCRIPT_COMMAND = obj("script command", "cmd", SCALAR, "description", SCALAR, "args", FREE,
            "required", STRINGS, "env", STRING_MAP, "working_dir", SCALAR);

    static final Obj API_CONFIG = obj("api_config", "name", SCALAR, "instruction", SCALAR, "endpoint", SCALAR,
            "method", SCALAR, "headers", STRING_MAP, "args", FREE, "required", STRINGS, "output_schema", FREE);

    static final Obj WEBHOOK_CONFIG = obj("webhook_config", "provider", SCALAR, "url", SCALAR, "headers", STRING_MAP,
            "chat_id", SCALAR);

    static final Obj RAG_STRATEGY = obj("rag strategy", "type", SCALAR, "embedding_model", SCALAR, "docs", STRINGS,
            "database", SCALAR, "similarity_metric", SCALAR, "vector_dimensions", SCALAR, "k1", SCALAR, "b", SCALAR,
            "threshold", SCALAR, "limit", SCALAR,
            "chunking", scalars("chunking", "size", "overlap", "respect_word_boundaries", "code_aware"),
            "embedding_batch_size", SCALAR, "max_embedding_concurrency", SCALAR, "max_indexing_concurrency", SCALAR,
            "respect_vcs", SCALAR, "chat_model", SCALAR, "semantic_prompt", SCALAR, "ast_context", SCALAR);

    static final Obj RAG_RESULTS = obj("rag results", "limit", SCALAR,
            "fusion", obj("fusion", "strategy", SCALAR, "k", SCALAR, "weights", STRING_MAP),
            "reranking", scalars("reranking", "model", "top_k", "threshold", "criteria"),
            "deduplicate", SCALAR, "include_score", SCALAR, "return_full_content", SCALAR,
            // newer docker-agent versions: a cache of repeated queries
            "prefetch", scalars("prefetch", "enabled", "max_entries"));

    static final Obj RAG_CONFIG = obj("rag", "tool", scalars("rag tool", "name", "description", "instruction"),
            "docs", STRINGS, "respect_vcs", SCALAR, "strategies", new ListOf(RAG_STRATEGY), "results", RAG_RESULTS);

    static final Shape DEFER = new Either(List.of(SCALAR, STRINGS));

    /** Every toolset field of the current schema; which apply to which {@code type} is checked when read. */
    static final Obj TOOLSET = obj("toolset", "type", SCALAR, "instruction", SCALAR, "toon", SCALAR,
            "readonly", SCALAR, "model", SCALAR, "ref", SCALAR, "config", FREE, "command", SCALAR, "remote", REMOTE,
            "args", STRINGS, "tools", STRINGS, "env", STRING_MAP, "shared", SCALAR, "path", SCALAR,
            "shell", new MapOf(SCRIPT_COMMAND), "post_edit", new ListOf(scalars("post_edit", "path", "cmd")),
            "api_config", API_CONFIG, "webhook_config", WEBHOOK_CONFIG, "rag_config", RAG_CONFIG,
            "ignore_vcs", SCALAR, "allow_list", STRINGS, "deny_list", STRINGS, "defer", DEFER, "timeout", SCALAR,
            "allowed_domains", STRINGS, "blocked_domains", STRINGS, "allow_private_ips", SCALAR,
            "sudo_askpass", SCALAR, "recall", SCALAR, "safer", SCALAR, "url", SCALAR, "headers", STRING_MAP,
            "name", SCALAR, "file_types", STRINGS, "allowed_servers", STRINGS, "blocked_servers", STRINGS,
            "models", STRINGS, "version", SCALAR, "working_dir", SCALAR, "lifecycle", LIFECYCLE,
            // fetch: HTML-escaping of the returned text (newer docker-agent versions)
            "escape_html", SCALAR,
            // shell: run commands in a sandbox ({image, paths} or true)
            "sandbox", new Either(List.of(SCALAR, obj("sandbox", "image", SCALAR, "paths", STRINGS))),
            // Keel's earlier name for allowed_domains
            "allowed_hosts", STRINGS,
            // schema v0/v1: dotenv files whose variables the toolset's processes get
            "env_file", SCALAR_OR_STRINGS);

    /** A reusable MCP server under {@code mcps}: a toolset whose type is implicitly {@code mcp}. */
    static final Obj MCP_DEFINITION = TOOLSET;

    /** A reusable RAG source under {@code rag}: the RAG fields next to a few toolset fields. */
    static final Obj RAG_DEFINITION = RAG_CONFIG.with("instruction", SCALAR, "tools", STRINGS, "name", SCALAR,
            "defer", DEFER);

    static final Obj HOOK = obj("hook", "name", SCALAR, "type", SCALAR, "command", SCALAR, "args", STRINGS,
            "timeout", SCALAR, "env", STRING_MAP, "working_dir", SCALAR, "on_error", SCALAR, "model", SCALAR,
            "prompt", SCALAR, "schema", SCALAR,
            // newer docker-agent versions: an evaluator-backed hook (type: evaluator)
            "evaluator", SCALAR, "routing_policy", FREE,
            "evaluator_policy", scalars("evaluator policy", "min_probability", "fallback").with("decisions", STRING_MAP));

    static final Obj HOOK_MATCHER = obj("hook matcher", "matcher", SCALAR, "hooks", new ListOf(HOOK),
            "preempt_yolo", SCALAR);

    /** Events whose entries match tools ({@code matcher} + {@code hooks}). */
    static final Set<String> TOOL_HOOK_EVENTS = Set.of("pre_tool_use", "post_tool_use", "permission_request",
            "tool_response_transform", "tool_guard");

    /** Every hook event of the current schema (and the two agent-routing events of newer versions). */
    static final List<String> HOOK_EVENTS = List.of("pre_tool_use", "post_tool_use", "permission_request",
            "session_start", "user_prompt_submit", "user_steering_messages_submit", "user_followup_submit",
            "turn_start", "turn_end", "before_llm_call", "after_llm_call", "session_end", "pre_compact",
            "subagent_stop", "on_user_input", "stop", "notification", "on_error", "on_max_iterations",
            "on_agent_switch", "on_session_resume", "on_tool_approval_decision", "before_compaction",
            "after_compaction", "tool_response_transform", "worktree_create", "tool_guard", "before_agent_run",
            "after_agent_complete");

    static final Obj HOOKS;

    static {
        Map<String, Shape> events = new LinkedHashMap<>();
        for (String e : HOOK_EVENTS) {
            events.put(e, new ListOf(TOOL_HOOK_EVENTS.contains(e) ? HOOK_MATCHER : HOOK));
        }
        HOOKS = new Obj("hooks", events);
    }

    static final Obj COMMAND = scalars("command", "description", "instruction", "agent", "url");
    /** An agent's or a group's commands: {@code name: prompt} or {@code name: {…}}, as a map or a list of maps. */
    static final Shape COMMANDS = new Either(List.of(new MapOf(new Either(List.of(SCALAR, COMMAND))),
            new ListOf(new MapOf(new Either(List.of(SCALAR, COMMAND))))));

    static final Obj INLINE_SKILL = obj("skill", "name", SCALAR, "description", SCALAR, "instructions", SCALAR,
            "context", SCALAR, "model", SCALAR, "allowed_tools", STRINGS, "toolsets", STRINGS);
    static final Shape SKILLS = new Either(List.of(SCALAR, new ListOf(new Either(List.of(SCALAR, INLINE_SKILL)))));

    static final Obj STRUCTURED_OUTPUT = obj("structured_output", "name", SCALAR, "description", SCALAR,
            "strict", SCALAR, "mode", SCALAR, "schema", FREE);

    static final Obj HARNESS = obj("harness", "type", SCALAR, "model", SCALAR, "effort", SCALAR, "agent", SCALAR,
            "thinking", SCALAR, "command", SCALAR, "args", STRINGS, "env", STRING_MAP, "working_dir", SCALAR,
            "timeout", SCALAR, "config", FREE, "permission_policy", FREE);

    static final Obj PERMISSIONS = obj("permissions", "allow", STRINGS, "ask", STRINGS, "deny", STRINGS);

    static final Obj WORKFLOW_SHAPE = obj("workflow", "sequential", STRINGS, "parallel", STRINGS, "loop", STRINGS,
            "join", SCALAR, "max_iterations", SCALAR, "exit_tool", SCALAR);

    static final Obj AGENT = obj("agent", "name", SCALAR, "model", SCALAR,
            "fallback", scalars("fallback", "models", "retries", "cooldown").with("models", SCALAR_OR_STRINGS),
            "description", SCALAR, "welcome_message", SCALAR, "toolsets", new ListOf(TOOLSET), "instruction", SCALAR_OR_STRINGS,
            "instruction_file", SCALAR_OR_STRINGS, "harness", HARNESS, "code_mode_tools", SCALAR,
            "sub_agents", STRINGS, "handoffs", STRINGS, "force_handoff", SCALAR, "add_date", SCALAR,
            "add_environment_info", SCALAR, "readonly", SCALAR, "safety", SCALAR, "redact_secrets", SCALAR,
            "max_iterations", SCALAR, "budgets", STRINGS, "max_consecutive_tool_calls", SCALAR,
            "max_old_tool_call_tokens", SCALAR, "max_tool_result_tokens", SCALAR, "num_history_items", SCALAR,
            "session_compaction", SCALAR, "compaction_threshold", SCALAR, "compaction_model", SCALAR,
            "add_prompt_files", STRINGS, "add_prompt_files_depth", SCALAR, "commands", COMMANDS,
            "structured_output", STRUCTURED_OUTPUT, "add_description_parameter", SCALAR, "hooks", HOOKS,
            "cache", scalars("cache", "enabled", "case_sensitive", "trim_spaces", "path"), "skills", SKILLS,
            "use_commands", STRINGS, "use_skills", STRINGS, "use_toolsets", STRINGS,
            // newer docker-agent versions
            "tool_choice", SCALAR, "inject_memories", SCALAR, "max_inject_memories", SCALAR,
            "inject_memories_strategy", SCALAR,
            // Keel: agent-level permission patterns, merged with the team's
            "permissions", PERMISSIONS,
            // older versions
            "conversation_starters", STRINGS, "think", SCALAR, "todo", FREE, "memory", FREE, "rag", STRINGS,
            WORKFLOW, WORKFLOW_SHAPE);

    static final Obj BUDGET = scalars("budget", "max_cost", "max_tokens", "max_time");

    static final Obj EVALUATOR = obj("evaluator", "provider", SCALAR, "model", SCALAR, "type", SCALAR,
            "instructions", SCALAR, "choices", STRING_MAP, "levels", STRINGS, "base_url", SCALAR, "endpoint", SCALAR,
            "token_key", SCALAR, "bypass_models_gateway", SCALAR, "timeout", SCALAR, "cost", COST);

    static final Obj TOP = obj("team", "version", SCALAR,
            "agents", new Either(List.of(new MapOf(AGENT), new ListOf(AGENT))),
            "models", new MapOf(MODEL), "providers", new MapOf(PROVIDER), "mcps", new MapOf(MCP_DEFINITION),
            "rag", new MapOf(RAG_DEFINITION), "commands", new MapOf(COMMANDS), "skills", new MapOf(SKILLS),
            "toolsets", new MapOf(TOOLSET),
            "metadata", obj("metadata", "author", SCALAR, "license", SCALAR, "readme", SCALAR, "description", SCALAR,
                    "version", SCALAR, "tags", STRINGS),
            "permissions", PERMISSIONS,
            "runtime", obj("runtime", "sandbox", SCALAR, "network_allowlist", STRINGS, "safety", SCALAR),
            "budget", BUDGET, "budgets", new MapOf(BUDGET), "flavors", new MapOf(FREE),
            "evaluators", new MapOf(EVALUATOR),
            // schema v0/v1: variables for expansion in the rest of the file
            "env", STRING_MAP);

    /** Every toolset type of the current schema. */
    static final Set<String> TOOLSET_TYPES = Set.of("mcp", "mcp_catalog", "script", "think", "memory", "filesystem",
            "file", "shell", "background_jobs", "tasks", "plan", "session_plan", "session_context", "todo", "fetch",
            "api", "a2a", "lsp", "user_prompt", "openapi", "open_url", "model_picker", "background_agents",
            "scheduler", "rag", "git", "webhook", "environment");

    /** Default key variables of providers Keel's registry knows by another name or not at all. */
    static final Map<String, String> DEFAULT_KEYS = Map.of("openai", "OPENAI_API_KEY",
            "anthropic", "ANTHROPIC_API_KEY", "google", "GOOGLE_API_KEY", "mistral", "MISTRAL_API_KEY", "xai",
            "XAI_API_KEY");
}
