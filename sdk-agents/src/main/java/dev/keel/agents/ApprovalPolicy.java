package dev.keel.agents;

import dev.keel.agents.approval.Safety;

import dev.keel.agents.AgentEvent.ApprovalSource;
import dev.keel.agents.approval.Permissions;
import dev.keel.agents.approval.ToolPattern;
import dev.keel.core.json.JsonObject;
import java.util.List;

/**
 * An agent's permission patterns (the team's merged with its own), parsed once, and the order in which they
 * decide a call: a matching {@code deny} refuses (even in yolo mode); then a matching {@code allow}
 * approves; then, unless an {@code ask} pattern matches, read-only tools (except in {@link Safety#STRICT}) and
 * {@link Safety#AUTONOMOUS} (yolo) approve; everything else needs asking — or, in {@link Safety#RESTRICTED},
 * is denied without asking. Immutable and thread-safe.
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
    private final Safety safety;

    private ApprovalPolicy(Permissions p, Safety safety) {
        deny = parse(p.deny());
        allow = parse(p.allow());
        ask = parse(p.ask());
        this.safety = safety;
    }

    /**
     * The policy of {@code agent} under the runner's settings: the runner's {@code yolo} wins (a user's choice),
     * then the agent's safety mode, then the runner's.
     */
    static ApprovalPolicy of(Agent agent, RunSettings settings) {
        Safety safety = settings.yolo() ? Safety.AUTONOMOUS : agent.safety().orElse(settings.safety());
        return new ApprovalPolicy(settings.permissions().merge(agent.permissions()), safety);
    }

    /** Whether calls that would be asked about are denied without asking ({@link Safety#RESTRICTED}). */
    boolean deniesInsteadOfAsking() {
        return safety == Safety.RESTRICTED;
    }

    private static List<Pattern> parse(List<String> patterns) {
        return patterns.stream().map(t -> new Pattern(t, ToolPattern.parse(t))).toList();
    }

    Verdict evaluate(String tool, JsonObject args, boolean readOnly) {
        return evaluate(tool, args, readOnly, false);
    }

    /** Why a deny pattern refuses the call, or null. */
    String denial(String tool, JsonObject args) {
        for (Pattern d : deny) {
            if (d.matches(tool, args)) {
                return "it matches the deny pattern '" + d.text() + "'";
            }
        }
        return null;
    }

    /**
     * The verdict for a call; {@code forceAsk} (a hook asked for approval) skips every approval except the
     * approver's, while deny patterns still refuse.
     */
    Verdict evaluate(String tool, JsonObject args, boolean readOnly, boolean forceAsk) {
        for (Pattern d : deny) {
            if (d.matches(tool, args)) {
                return new Verdict(null, "it matches the deny pattern '" + d.text() + "'");
            }
        }
        if (forceAsk) {
            return new Verdict(null, null);
        }
        if (allow.stream().anyMatch(a -> a.matches(tool, args))) {
            return new Verdict(ApprovalSource.ALLOWED, null);
        }
        boolean mustAsk = ask.stream().anyMatch(a -> a.matches(tool, args));
        if (!mustAsk && readOnly && safety != Safety.STRICT) {
            return new Verdict(ApprovalSource.READ_ONLY, null);
        }
        if (!mustAsk && safety == Safety.AUTONOMOUS) {
            return new Verdict(ApprovalSource.YOLO, null);
        }
        return new Verdict(null, null);
    }
}
