package dev.keel.agents.internal.recording;

import dev.keel.agents.recording.RecordedStep;
import dev.keel.agents.recording.StepTag;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The order steps are written in, derived from their tags alone so that it never depends on the order in
 * which parallel work finished: sessions by label, then by turn; within a turn the model call, the approvals
 * by call index, each tool call followed by its delegation, the delegated session's steps and the commands,
 * fetches and permission checks it made; then the handoff. The messages of ended jobs and due schedules told before
 * a model call come right before it, those told after a final answer last, each in the order told. Stateless.
 */
public final class StepOrder {
    private static final Comparator<List<Integer>> LEXICOGRAPHIC = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = Integer.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    private StepOrder() {}

    /** The steps sorted (stable: steps at the same position keep their order). */
    public static List<RecordedStep> sort(List<RecordedStep> steps) {
        List<RecordedStep> out = new ArrayList<>(steps);
        // sessions at the same position (the steps of one workflow iteration) by label, so never by finishing order
        out.sort(Comparator.comparing(StepOrder::position, LEXICOGRAPHIC).thenComparing(s -> s.tag().session()));
        return out;
    }

    static List<Integer> position(RecordedStep s) {
        StepTag t = s.tag();
        List<Integer> p = sessionPosition(t.session());
        p.add(t.turn());
        if (s instanceof RecordedStep.ModelCall) {
            p.add(0);
        } else if (s instanceof RecordedStep.ApprovalDecision) {
            p.add(1);
            p.add(t.call());
        } else if (s instanceof RecordedStep.ToolExecution) {
            p.add(2);
            p.add(t.call());
        } else if (s instanceof RecordedStep.Delegation) {
            p.add(2);
            p.add(t.call());
            p.add(0);
        } else if (s instanceof RecordedStep.Handoff) {
            p.add(3);
        } else if (RecordingFile.isRecall(s)) {
            boolean after = s instanceof RecordedStep.JobRecall j ? j.afterAnswer()
                    : ((RecordedStep.ScheduleFire) s).afterAnswer();
            p.add(after ? 4 : -1);
            p.add(t.call());
        } else { // commands, fetches, permission checks: after the tool call's delegated session
            p.add(2);
            p.add(t.call());
            p.add(2);
        }
        return p;
    }

    /**
     * {@code s2/3.1:qa} → [2, 3, 2, 1, 1]: a delegated session sorts inside its parent's tool call; a workflow step's
     * session {@code s1/w2:critic} sorts by its iteration.
     */
    static List<Integer> sessionPosition(String label) {
        List<Integer> p = new ArrayList<>();
        String[] parts = label.split("/");
        p.add(number(parts[0].startsWith("s") ? parts[0].substring(1) : parts[0]));
        for (int i = 1; i < parts.length; i++) {
            String seg = parts[i];
            int colon = seg.indexOf(':');
            String pos = colon < 0 ? seg : seg.substring(0, colon);
            if (pos.startsWith("w")) { // a workflow step: w<iteration>
                pos = pos.substring(1);
            }
            int dot = pos.indexOf('.');
            p.add(number(dot < 0 ? pos : pos.substring(0, dot)));
            p.add(2);
            p.add(dot < 0 ? 0 : number(pos.substring(dot + 1)));
            p.add(1);
        }
        return p;
    }

    private static int number(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }
}
