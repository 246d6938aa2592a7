package dev.keel.agents;

import dev.keel.agents.AgentEvent.ApprovalSource;
import dev.keel.agents.approval.Permissions;
import dev.keel.agents.approval.ToolPattern;
import dev.keel.core.json.JsonObject;
import java.util.List;

/**
 * An agent's permission patterns (the team's merged with its own), parsed once, and the order in which they
 * decide a call: a matching {@code deny} refuses (even in yolo mode); then a matching {@code allow}
 * approves; then, unless an {@code ask} pattern matches, read-only tools and yolo mode approve; everything
 * else needs asking. Immutable and thread-safe.
 */
final class ApprovalPolicy {
    /** One pattern with the text it was written as, for denial messages. */
    private record Pattern(String text, ToolPattern parsed) {
        boolean matches(String tool, JsonObject args) {
            return parsed.matches(tool, args);
        }
    }

    /** What the patterns say before anyone is asked: a source, a denial, or neither (ask). */
    record Verdict(ApprovalSource approvedBy, String deniedBecause) {
        boolean mustAsk() {
            return approvedBy == null && deniedBecause == null;
        }
    }

    private final List<Pattern> deny;
    private final List<Pattern> allow;
    private final List<Pattern> ask;
    private final boolean yolo;

    private ApprovalPolicy(Permissions p, boolean yolo) {
        deny = parse(p.deny());
        allow = parse(p.allow());
        ask = parse(p.ask());
        this.yolo = yolo;
    }

    /** The policy of {@code agent} under the runner's settings. */
    static ApprovalPolicy of(Agent agent, RunSettings settings) {
        return new ApprovalPolicy(settings.permissions().merge(agent.permissions()), settings.yolo());
    }

    private static List<Pattern> parse(List<String> patterns) {
        return patterns.stream().map(t -> new Pattern(t, ToolPattern.parse(t))).toList();
    }

    Verdict evaluate(String tool, JsonObject args, boolean readOnly) {
        for (Pattern d : deny) {
            if (d.matches(tool, args)) {
                return new Verdict(null, "it matches the deny pattern '" + d.text() + "'");
            }
        }
        if (allow.stream().anyMatch(a -> a.matches(tool, args))) {
            return new Verdict(ApprovalSource.ALLOWED, null);
        }
        boolean mustAsk = ask.stream().anyMatch(a -> a.matches(tool, args));
        if (!mustAsk && readOnly) {
            return new Verdict(ApprovalSource.READ_ONLY, null);
        }
        if (!mustAsk && yolo) {
            return new Verdict(ApprovalSource.YOLO, null);
        }
        return new Verdict(null, null);
    }
}
