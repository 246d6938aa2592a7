package dev.keel.agents.team;

import java.util.Map;
import java.util.Set;

/**
 * The schema table: which fields each section of a team file may have, which cagent / Docker Agent fields
 * are accepted but not acted on (reported as warnings), and which toolset types exist. A new field or
 * toolset type is one entry here plus the code that reads it (in {@link ModelSection},
 * {@link ToolsetSection} or {@link TeamLoader}). Unknown fields are errors, ignored ones warnings.
 */
final class TeamSchema {
    private TeamSchema() {}

    static final Set<String> TOP = Set.of("version", "agents", "models", "providers", "mcps", "permissions",
            "metadata", "toolsets");
    /** Top-level cagent / Docker Agent sections Keel accepts but does not act on: reported as warnings. */
    static final Set<String> TOP_IGNORED = Set.of("rag", "commands", "skills", "runtime", "budget", "budgets",
            "flavors");
    static final Set<String> AGENT = Set.of("name", "model", "description", "instruction", "instruction_file",
            "toolsets", "use_toolsets", "sub_agents", "handoffs", "add_date", "add_environment_info", "max_iterations",
            "num_history_items", "permissions", "readonly");
    /** cagent agent fields Keel accepts but does not act on: reported as warnings. */
    static final Set<String> AGENT_IGNORED = Set.of("welcome_message", "commands", "add_prompt_files",
            "add_prompt_files_depth", "code_mode_tools", "structured_output", "skills", "hooks", "fallback", "rag",
            "add_description_parameter", "max_consecutive_tool_calls", "max_old_tool_call_tokens",
            "max_tool_result_tokens", "session_compaction", "compaction_threshold", "compaction_model",
            "conversation_starters", "harness", "force_handoff", "safety", "redact_secrets", "budgets", "cache",
            "use_commands", "use_skills");
    /** Generation options a model (or, as defaults, a provider) may set. */
    static final Set<String> OPTIONS = Set.of("temperature", "max_tokens", "top_p", "frequency_penalty",
            "presence_penalty", "thinking_budget", "parallel_tool_calls");
    static final Set<String> MODEL = union(OPTIONS, Set.of("provider", "model", "base_url", "token_key"));
    static final Set<String> MODEL_IGNORED = Set.of("provider_opts", "track_usage", "routing", "task_budget",
            "auth", "compaction_model", "compaction_threshold");
    static final Set<String> PROVIDER = union(OPTIONS, Set.of("provider", "api_type", "base_url", "token_key"));
    static final Set<String> PROVIDER_IGNORED = Set.of("provider_opts", "track_usage", "task_budget", "auth",
            "compaction_model", "unload_api");
    static final Set<String> TOOLSET_COMMON = Set.of("type", "tools", "instruction", "readonly");
    static final Set<String> TOOLSET_IGNORED = Set.of("toon", "defer", "sandbox", "lifecycle");
    static final Map<String, Set<String>> TOOLSET = Map.of(
            "think", Set.of("shared"), "todo", Set.of("shared"), "memory", Set.of("path"),
            "filesystem", Set.of("path", "post_edit", "ignore_vcs"), "shell", Set.of("env", "timeout"),
            "script", Set.of("shell", "timeout"), "fetch", Set.of("timeout", "allowed_hosts"),
            "mcp", Set.of("command", "args", "env", "ref", "remote", "config", "timeout"));
    static final Set<String> KNOWN_UNSUPPORTED_TOOLSETS = Set.of("api", "a2a", "lsp", "rag", "user_prompt",
            "openapi", "tasks", "background_agents");
    static final Set<String> MCP = Set.of("command", "args", "env", "remote", "ref", "config", "timeout");
    static final Map<String, String> DEFAULT_KEYS = Map.of("openai", "OPENAI_API_KEY",
            "anthropic", "ANTHROPIC_API_KEY", "google", "GOOGLE_API_KEY", "mistral", "MISTRAL_API_KEY", "xai", "XAI_API_KEY");
    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
